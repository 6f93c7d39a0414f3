"""airspeed velocity (asv) benchmarks of activebench; configuration in ../asv.conf.json."""
