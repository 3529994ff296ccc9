"""Distributed tests: each launches a small worker script under ``mpiexec -n N`` (marker ``dist``)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "dist: launches several processes through mpiexec (needs mpi4py + mpich)")
