"""Collectors: one package per provider, each turning API reads into an Inventory."""
