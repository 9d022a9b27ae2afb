"""Region catalogues: names, zones, pairs and failure domains per provider, as plain data.

Collectors (normalising what an API reports) and the analysis (failure domains, region validation)
both read them, so they sit under the model, not inside ``collectors/``. No SDK import here.
"""
