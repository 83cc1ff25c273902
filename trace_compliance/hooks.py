def post_init_hook(env):
    """Genealogy for everything already manufactured or unbuilt: a few set-based statements."""
    links = env["trace.lot.link"]
    links._sync_productions()
    unbuilds = env["mrp.unbuild"].search([("state", "=", "done")])
    if unbuilds:
        links._sync_unbuilds(unbuilds.ids)
