"""Runs beyond the local folder scan: JSON Lines, Parquet and the Dask engine."""
