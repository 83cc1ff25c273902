from . import test_sale_flow
