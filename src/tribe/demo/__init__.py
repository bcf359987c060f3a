"""The demo: invented brands, a Chinese catalogue, consumers and staff, seeded deterministically.

`tribe demo` (and `tribe seed`) call `tribe.demo.seed.seed_demo`. Every name here is invented; none is a real
trademark.
"""
