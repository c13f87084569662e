# model.py - reference scores for the quantile transform in tests/unit/test_transform.c.
# Run: /usr/bin/python3 tests/reference/model.py
# The cuts are numpy's linear percentiles (= R type 7, see model.R); the
# scores are scikit-learn's QuantileTransformer (uniform output) given those
# 99 cuts as its quantiles and 0.01..0.99 as its references, times 100.
# scikit-learn maps x equal to the first/last cut to exactly 0/1 (it keeps
# the training min/max there); healthcal stores only the 1st..99th
# percentiles, so it uses the mid-rank at those points and 0/100 strictly
# outside; only interior points are compared.
import numpy as np
from sklearn.preprocessing import QuantileTransformer

y = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 3], dtype=float)
cuts = np.percentile(y, np.arange(1, 100), method="linear")
qt = QuantileTransformer(n_quantiles=99, output_distribution="uniform")
qt.fit(np.linspace(0, 1, 99).reshape(-1, 1))
qt.quantiles_ = cuts.reshape(-1, 1)
qt.references_ = np.arange(1, 100) / 100.0
xs = np.array([0.0, 0.1, 0.5, 1.0, 2.0, 2.5, 2.95]).reshape(-1, 1)
for x, s in zip(xs.ravel(), qt.transform(xs).ravel()):
    print("x=%r score=%.17g" % (x, 100 * s))
