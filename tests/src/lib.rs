//! Black-box tests of the whole Portico router; see the files under `tests/`.
