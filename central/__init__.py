"""The reference central API (FastAPI + SQLAlchemy) and the back-office command line."""
