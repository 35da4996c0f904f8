"""The transparency log: Merkle tree math, storage and verification."""
