# metrics_clustered.py - independent reference numbers for the clustered DeLong (Obuchowski 1997) in tests/unit/test_metrics_clustered.c.
#
# Run from the repository root:  /usr/bin/python3 tests/reference/metrics_clustered.py
# Pure Python (no numpy), written from the paper, not from the C code: the
# placements are the O(n^2) double sums over every (positive, negative) pair
# of Obuchowski (1997, Biometrics 53:567-578), section 2:
#   psi(x, y) = 1 if x > y, 1/2 if x == y, 0 otherwise,
#   V10(X_ij) = (1/N) sum_k sum_l psi(X_ij, Y_kl), V01(Y_kl) likewise over M,
#   V10(X_i.) = sum_j V10(X_ij), V01(Y_i.) = sum_l V01(Y_il),
#   S10 = I10 / ((I10 - 1) M) sum_i (V10(X_i.) - m_i theta)^2,
#   S01 = I01 / ((I01 - 1) N) sum_i (V01(Y_i.) - n_i theta)^2,
#   S11 = I / (I - 1) sum_i (V10(X_i.) - m_i theta)(V01(Y_i.) - n_i theta),
#   var = S10 / M + S01 / N + 2 S11 / (M N),
# and for two tests r, s on the same rows the covariance terms with the
# products of the two tests' structural components (section 3), var(diff) =
# var_r + var_s - 2 cov_rs. The unclustered DeLong (1988) variance of the
# same data is computed alongside, and with one row per cluster the two
# must agree.
cl = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6,
      7, 7, 8, 8, 8, 9, 9, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11]
y = [1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
     0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1]
s = [0.5, 0.7, 0.5, 0.4, 0.3, 0.5, 0.5, 0.4, 0.6, 0.7, 0.2, 0.2, 0.3, 0.3, 0.2, 0.5,
     0.3, 0.1, 0.2, 0.4, 0.1, 0.2, 0.2, 0.3, 0.1, 0.4, 0.5, 0.2, 0.5, 0.7, 0.3, 0.6,
     0.3, 0.8, 0.4, 0.6, 0.8, 0.7, 0.6, 0.3, 0.1, 0.5, 0.2, 0.3]
s2 = [0.56, 0.6, 0.36, 0.06, 0.47, 0.43, 0.42, 0.34, 0.24, 0.43, 0.16, 0.15, 0.12,
      0.44, 0.49, 0.62, 0.29, 0.35, 0.23, 0.24, 0.29, 0.36, 0.47, 0.25, 0.37, 0.25,
      0.41, 0.21, 0.19, 0.16, 0.14, 0.63, 0.31, 0.63, 0.2, 0.35, 0.37, 0.2, 0.62,
      0.07, 0.18, 0.65, 0.04, 0.28]


def psi(a, b):
    return 1.0 if a > b else 0.5 if a == b else 0.0


def components(score):
    pos = [i for i in range(len(y)) if y[i] == 1]
    neg = [i for i in range(len(y)) if y[i] == 0]
    M, N = len(pos), len(neg)
    v10 = {i: sum(psi(score[i], score[j]) for j in neg) / N for i in pos}
    v01 = {j: sum(psi(score[i], score[j]) for i in pos) / M for j in neg}
    theta = sum(v10.values()) / M
    clusters = sorted(set(cl))
    d10 = {k: sum(v10[i] for i in pos if cl[i] == k) - sum(1 for i in pos if cl[i] == k) * theta
           for k in clusters}
    d01 = {k: sum(v01[j] for j in neg if cl[j] == k) - sum(1 for j in neg if cl[j] == k) * theta
           for k in clusters}
    i10 = sum(1 for k in clusters if any(cl[i] == k for i in pos))
    i01 = sum(1 for k in clusters if any(cl[j] == k for j in neg))
    return dict(theta=theta, M=M, N=N, I=len(clusters), I10=i10, I01=i01,
                d10=d10, d01=d01, v10=v10, v01=v01)


def cov(a, b):
    """Obuchowski's covariance of two AUCs (a = b: the variance)."""
    M, N, I, I10, I01 = a["M"], a["N"], a["I"], a["I10"], a["I01"]
    ks = a["d10"].keys()
    s10 = I10 / ((I10 - 1) * M) * sum(a["d10"][k] * b["d10"][k] for k in ks)
    s01 = I01 / ((I01 - 1) * N) * sum(a["d01"][k] * b["d01"][k] for k in ks)
    s11 = I / (I - 1) * sum(a["d10"][k] * b["d01"][k] for k in ks)
    s11r = I / (I - 1) * sum(b["d10"][k] * a["d01"][k] for k in ks)
    return s10 / M + s01 / N + (s11 + s11r) / (M * N)


def delong_cov(a, b):
    """DeLong (1988), rows independent."""
    M, N = a["M"], a["N"]
    x = sum((a["v10"][i] - a["theta"]) * (b["v10"][i] - b["theta"]) for i in a["v10"]) / (M - 1)
    z = sum((a["v01"][j] - a["theta"]) * (b["v01"][j] - b["theta"]) for j in a["v01"]) / (N - 1)
    return x / M + z / N


a, b = components(s), components(s2)
print("auc1            %.17g" % a["theta"])
print("auc2            %.17g" % b["theta"])
print("clusters I I10 I01: %d %d %d" % (a["I"], a["I10"], a["I01"]))
print("var1 clustered  %.17g" % cov(a, a))
print("var1 DeLong     %.17g" % delong_cov(a, a))
print("var2 clustered  %.17g" % cov(b, b))
vd = cov(a, a) + cov(b, b) - 2 * cov(a, b)
vd0 = delong_cov(a, a) + delong_cov(b, b) - 2 * delong_cov(a, b)
print("var(diff) clustered %.17g" % vd)
print("var(diff) DeLong    %.17g" % vd0)
