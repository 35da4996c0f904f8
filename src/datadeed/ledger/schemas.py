"""Shapes of the ledger's read API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class CheckpointOut(BaseModel):
    origin: str
    tree_size: int
    root_hash: str
    checkpoint: str


class EntryOut(BaseModel):
    index: int
    kind: str
    leaf_hash: str
    entry: dict[str, Any]


class InclusionProofOut(BaseModel):
    index: int
    tree_size: int
    leaf_hash: str
    inclusion_proof: list[str]


class ConsistencyProofOut(BaseModel):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class KeyOut(BaseModel):
    key_id: str
    algorithm: str
    vkey: str
    active: bool
