"""The HTTP layer every app shares: middleware, the 304 cache, error answers made outside
DRF, media headers and absolute links. Nothing here imports an app."""
