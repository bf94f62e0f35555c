"""The playground's demo year: figures (figures.py), the seed through the services (seed.py),
where the playground keeps its data (database.py) and making or resetting it (lifecycle.py)."""
