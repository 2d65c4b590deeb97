"""The application store: workflow data (meetings and members' replies; later rosters, approvals, consultations
and jobs) in SQLAlchemy 2, its schema changed only by Alembic migrations. Embedded SQLite in the data directory
by default; PostgreSQL by URL (``ASSISTANT_DATABASE_URL``) for a province-wide installation with several API
workers. The document index (catalog, Chroma, BM25) stays where it is."""
