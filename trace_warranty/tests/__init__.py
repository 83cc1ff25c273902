from . import test_serial_flow
