# drift.R - reference PSI values for tests/unit/test_drift.c and tests/e2e/drift.sh.
# Run from the repository root: Rscript tests/reference/drift.R
# PSI = sum_i (c_i - b_i) ln(c_i / b_i) over 10 bins cut at the baseline's
# type-7 deciles (R's default quantile), duplicate cuts merged, bins
# right-closed and open at both ends, shares floored at 1e-4 (not
# renormalised). Written from that definition, without healthcal code.
psi <- function(base, cur, bins = 10) {
  cuts <- unique(quantile(base, probs = (1:(bins - 1)) / bins, type = 7, names = FALSE))
  br <- c(-Inf, cuts, Inf)
  b <- as.numeric(table(cut(base, br, right = TRUE))) / length(base)
  c <- as.numeric(table(cut(cur, br, right = TRUE))) / length(cur)
  b <- pmax(b, 1e-4); c <- pmax(c, 1e-4)
  sum((c - b) * log(c / b))
}
p <- function(label, v) cat(sprintf("%-28s %.17g\n", label, v))

# 1. tests/e2e/data/drift: health = mean of the two identity sub-scores.
s <- read.csv("tests/e2e/data/drift/snapshots.csv")
s$h <- (s$usage_score + s$support_score) / 2
b <- s[s$snapshot_date >= "2024-01-01" & s$snapshot_date <= "2024-01-31", ]
c <- s[s$snapshot_date >= "2024-02-01" & s$snapshot_date <= "2024-02-29", ]
p("e2e health", psi(b$h, c$h))
p("e2e usage", psi(b$usage_score, c$usage_score))
p("e2e support", psi(b$support_score, c$support_score))
band <- function(h) cut(h, c(-Inf, 40, 70, Inf), right = FALSE, labels = c("red", "yellow", "green"))
print(prop.table(table(band(b$h))))
print(prop.table(table(band(c$h))))

# 2. tests/unit/test_drift.c: the in-memory example (x = score a, y = score b,
#    health = (a + b) / 2 when both present, else the one present).
ba <- c(12, 25, 31, 38, 44, 47, 52, 58, 63, 66, 71, 77, 80, 85, 90, 95)
bb <- c(60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80, 82, 84, 86, 88, 90)
ca <- c(10, 15, 22, 28, 33, 40, 45, 52, 57, 61, 70, 88)
cb <- c(62, 65, 68, 71, 74, 77, 80, 83, 86, 89, 70, NA)
bh <- (ba + bb) / 2
ch <- ifelse(is.na(cb), ca, (ca + cb) / 2)
p("unit health", psi(bh, ch))
p("unit a", psi(ba, ca))
p("unit b", psi(bb, cb[!is.na(cb)]))
p("unit identical", psi(bh, bh))
