//! Classification and functional results: parsing, tables, matrices (see API_SPEC.md §8–9).
