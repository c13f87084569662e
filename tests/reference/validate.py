# validate.py - reference numbers for tests/unit/test_validate.c (scikit-learn, statsmodels).
# Run: /usr/bin/python3 tests/reference/validate.py
import numpy as np
import statsmodels.api as sm
from sklearn.metrics import roc_auc_score, average_precision_score

# 30 rows: outcome y, a health score H (0-100, higher healthier, with ties)
# and a probability p. The same arrays are in test_validate.c.
y = np.array([1,0,0,1,0,0,0,1,0,0, 0,1,0,0,0,0,1,0,0,0, 1,0,0,0,1,0,0,0,0,1], float)
H = np.array([35,80,72,40,90,55,66,50,85,70, 60,45,75,88,50,62,30,77,81,69,
              58,92,64,73,41,83,57,79,68,52], float)
p = np.array([.42,.05,.10,.33,.02,.20,.12,.25,.04,.11, .15,.30,.08,.03,.22,.14,.55,.07,.05,.09,
              .18,.02,.13,.08,.36,.04,.19,.06,.12,.27])

print("auc(-H)      %.17g" % roc_auc_score(y, -H))
print("ap(-H)       %.17g" % average_precision_score(y, -H))
print("auc(p)       %.17g" % roc_auc_score(y, p))
fit = sm.Logit(y, sm.add_constant(H)).fit(disp=0, tol=1e-14, maxiter=100)
print("map a, b     %.17g %.17g" % tuple(fit.params))
