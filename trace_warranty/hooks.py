def post_init_hook(env):
    """Fill the serial registry from the deliveries and returns already done (one statement)."""
    env["stock.lot"]._warranty_update_registry()
