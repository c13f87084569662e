"""recalibration.py - reference values for tests/unit/test_recalibration.c:
scikit-learn's IsotonicRegression(out_of_bounds="clip") on a small data set
with ties in p (fitted values, the kept thresholds, predictions between and
beyond them), and LogisticRegression(penalty=None) on logit(p) as a second
authority for the Platt map of recalibration.R.
Run with Debian's Python: /usr/bin/python3 tests/reference/recalibration.py
"""
import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

# Isotonic: 16 rows, ties at p = 0.2 (three rows), 0.5 (two) and 0.7 (two).
p = np.array([0.05, 0.1, 0.2, 0.2, 0.2, 0.3, 0.35, 0.4, 0.5, 0.5,
              0.6, 0.7, 0.7, 0.8, 0.9, 0.95])
y = np.array([0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1], dtype=float)
ir = IsotonicRegression(out_of_bounds="clip").fit(p, y)
np.set_printoptions(precision=17)
print("fitted", repr(ir.predict(p)))
print("x", repr(ir.X_thresholds_))
print("y", repr(ir.y_thresholds_))
newp = np.array([0.0, 0.05, 0.12, 0.2, 0.25, 0.33, 0.45, 0.62, 0.75, 0.97, 1.0])
print("pred", repr(ir.predict(newp)))

# Platt on the data of recalibration.R.
pp = np.array([0.02, 0.05, 0.08, 0.10, 0.12, 0.15, 0.18, 0.20, 0.22, 0.25,
               0.28, 0.30, 0.33, 0.35, 0.40, 0.42, 0.45, 0.50, 0.55, 0.60,
               0.62, 0.65, 0.70, 0.72, 0.75, 0.80, 0.85, 0.90, 0.95, 0.99])
yy = np.array([0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0,
               1, 0, 1, 0, 1, 1, 0, 1, 1, 1])
lr = LogisticRegression(penalty="none", tol=1e-12, max_iter=10000).fit(
    np.log(pp / (1 - pp)).reshape(-1, 1), yy)
print("platt a b", lr.intercept_[0], lr.coef_[0, 0])
