"""The benchmark: the generated genealogy (:mod:`tools.bench.generate`), its run
(:mod:`tools.bench.run`), the report of its figures (:mod:`tools.bench.report`), the
comparison of two checkouts (:mod:`tools.bench.ab`) and the reservation benchmark
(:mod:`tools.bench.reserve`). See docs/performance.md."""
