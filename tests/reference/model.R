# model.R - reference values for tests/unit/test_transform.c (quantile cuts).
# Run: Rscript tests/reference/model.R
# R's default quantile (type 7, Hyndman & Fan 1996) of an irregular sample,
# with one missing value that must be ignored, printed to 17 digits.
x <- c(3.1, 0.2, 7.7, 1.5, 9.9, NA, 4.4, 2.2, 8.8, 5.5, 6.6, 0.9)
q <- quantile(x, probs = (1:99) / 100, type = 7, na.rm = TRUE, names = FALSE)
cat(sprintf("%.17g", q), sep = ",\n")
cat("\n")
# Tied sample (the shape of a count metric such as open tickets).
y <- c(0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3, 3)
cat(sprintf("%.17g", quantile(y, probs = (1:99) / 100, names = FALSE)), sep = ",")
cat("\n")
