"""Operations: command line, demo data, benchmark, Parquet export, backups, templates, admin changes."""
