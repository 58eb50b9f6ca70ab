"""Process plumbing: rate limits, file storage, periodic jobs, backups, the production server and its
worker."""
