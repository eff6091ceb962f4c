"""The published world (docs/architecture.md): what readers may see, built once per change
by the publish door (`build`, started from `receivers`), served as stored by the public API
(`api`), feeds and sitemaps, and told to webhook subscribers (`notify`, `webhooks`)."""
