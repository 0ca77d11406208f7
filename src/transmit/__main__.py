from transmit.cli import run

run()
