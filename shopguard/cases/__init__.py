"""Complaint cases: the photos a buyer sent, the seller's order facts, the stored check results."""
