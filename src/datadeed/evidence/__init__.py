"""Evidence storage (存证): timestamp a digest of data in the ledger and hand out receipts."""
