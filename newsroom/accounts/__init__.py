"""Staff accounts: write-API tokens (stored hashed) and the admin's password reset.

Platform: nothing here imports an app."""
