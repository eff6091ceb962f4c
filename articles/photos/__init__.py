"""Photos: uploads checked and cleaned of location metadata, caption and credit read from
the file, renditions made in the background. Imports nothing of the editing world."""
