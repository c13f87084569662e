# logreg.R - reference values for tests/unit/test_logreg.c (R glm, sandwich).
#
# Run from the repository root:  Rscript tests/reference/logreg.R
# The datasets are read from ../shared/datasets (or $HC_SHARED_DATASETS).
# glm is run with epsilon = 1e-20, i.e. until the deviance stops changing in
# floating point. This matters for the standard errors: summary.glm takes
# them from the weights of the *previous* iteration, so with the default
# 1e-8 (or even 1e-14) R's SEs are those of a point slightly before the
# optimum and differ from the information at the optimum by up to 6e-4
# (4e-7) relative on socialnet7. Values print with 17 digits.
suppressPackageStartupMessages(library(sandwich))
options(digits = 17)
ds <- Sys.getenv("HC_SHARED_DATASETS", "../shared/datasets")
ctl <- glm.control(epsilon = 1e-20, maxit = 100)

show <- function(tag, fit, vc = NULL) {
    s <- summary(fit)$coefficients
    cat(sprintf("== %s\n", tag))
    cat("coef ", sprintf("%.17g", s[, 1]), "\n")
    cat("se   ", sprintf("%.17g", s[, 2]), "\n")
    cat(sprintf("deviance %.17g null %.17g aic %.17g loglik %.17g iter %d\n",
                fit$deviance, fit$null.deviance, fit$aic,
                as.numeric(logLik(fit)), fit$iter))
    if (!is.null(vc))
        cat("robust", sprintf("%.17g", sqrt(diag(vc))), "\n")
}

# 1. Telco: Churn (Yes = 1) ~ tenure + MonthlyCharges + SeniorCitizen.
telco <- read.csv(file.path(ds, "telco/WA_Fn-UseC_-Telco-Customer-Churn.csv"))
telco$y <- as.numeric(telco$Churn == "Yes")
show("telco", glm(y ~ tenure + MonthlyCharges + SeniorCitizen,
                  family = binomial, data = telco, control = ctl))

# 2. Bank churn: ids (RowNumber, CustomerId) and text columns excluded.
bank <- read.csv(file.path(ds, "bank-churn/Churn_Modelling.csv"))
show("bank", glm(Exited ~ CreditScore + Age + Tenure + Balance + NumOfProducts +
                   HasCrCard + IsActiveMember + EstimatedSalary,
                 family = binomial, data = bank, control = ctl))

# 3. Orange telecom: numeric columns except Area code (a categorical code).
or <- read.csv(file.path(ds, "orange-telecom/churn-bigml-80.csv"),
               check.names = FALSE)
or$y <- as.numeric(or$Churn == "True")
names(or) <- make.names(names(or))
full <- y ~ Account.length + Number.vmail.messages +
    Total.day.minutes + Total.day.calls + Total.day.charge +
    Total.eve.minutes + Total.eve.calls + Total.eve.charge +
    Total.night.minutes + Total.night.calls + Total.night.charge +
    Total.intl.minutes + Total.intl.calls + Total.intl.charge +
    Customer.service.calls
show("orange_full", glm(full, family = binomial, data = or, control = ctl))
sub <- y ~ Account.length + Number.vmail.messages +
    Total.day.minutes + Total.day.calls + Total.eve.minutes + Total.eve.calls +
    Total.night.minutes + Total.night.calls + Total.intl.minutes +
    Total.intl.calls + Customer.service.calls
show("orange_sub", glm(sub, family = binomial, data = or, control = ctl))

# 4. Cluster-robust (CR1) SEs on the fight-churn simulation, by account_id.
sn <- read.csv(file.path(ds, "fightchurn-sim/socialnet7_dataset.csv"))
sn$y <- as.numeric(sn$is_churn == "True")
fit <- glm(y ~ like_per_month + newfriend_per_month + post_per_month +
               dislike_per_month + account_tenure,
           family = binomial, data = sn, control = ctl)
show("socialnet", fit, vcovCL(fit, cluster = ~account_id, type = "HC1"))

# 5. Ridge on Telco, lambda = 25: maximise loglik - lambda/2 * sum(beta[-1]^2)
# (intercept unpenalised) with an independent optimiser (BFGS on the
# analytic gradient, then Newton polishing written out here), and take SEs
# from the inverse penalised information X'WX + diag(0, lambda, ...).
X <- cbind(1, telco$tenure, telco$MonthlyCharges, telco$SeniorCitizen)
y <- telco$y
lambda <- 25
P <- diag(c(0, rep(lambda, ncol(X) - 1)))
negpl <- function(b) {
    eta <- drop(X %*% b)
    -sum(y * eta - log1p(exp(eta))) + 0.5 * sum(P %*% b * b)
}
grad <- function(b) {
    mu <- plogis(drop(X %*% b))
    -drop(crossprod(X, y - mu)) + drop(P %*% b)
}
o <- optim(rep(0, ncol(X)), negpl, grad, method = "BFGS",
           control = list(reltol = 1e-16, maxit = 10000))
b <- o$par
for (i in 1:5) {  # Newton polish of the optimum BFGS found
    mu <- plogis(drop(X %*% b))
    b <- b - solve(crossprod(X, X * (mu * (1 - mu))) + P, grad(b))
}
mu <- plogis(drop(X %*% b))
V <- solve(crossprod(X, X * (mu * (1 - mu))) + P)
cat("== ridge25\n")
cat("bfgs ", sprintf("%.17g", o$par), "\n")
cat("coef ", sprintf("%.17g", b), "\n")
cat("se   ", sprintf("%.17g", sqrt(diag(V))), "\n")
cat(sprintf("max|grad| %.3g deviance %.17g\n", max(abs(grad(b))),
            -2 * sum(y * log(mu) + (1 - y) * log(1 - mu))))

# 6. Offsets on Telco.
telco$o1 <- -1.5 + 0.01 * telco$MonthlyCharges - 0.04 * telco$tenure
show("offset_null", glm(y ~ 1, offset = o1, family = binomial, data = telco,
                        control = ctl))
telco$o2 <- 0.5 * telco$SeniorCitizen
show("offset_cov", glm(y ~ tenure + MonthlyCharges, offset = o2,
                       family = binomial, data = telco, control = ctl))

# 4b. The CR1 formula written out by hand, as a check on the convention
# (compares standard errors; off-diagonal covariances near 0 differ more):
# V = G/(G-1) (n-1)/(n-k) * (X'WX)^-1 (sum_g U_g U_g') (X'WX)^-1.
Xs <- model.matrix(fit)
U <- rowsum(Xs * (fit$y - fitted(fit)), sn$account_id)
G <- nrow(U); n <- nrow(Xs); k <- ncol(Xs)
B <- summary(fit)$cov.unscaled
Vh <- G / (G - 1) * (n - 1) / (n - k) * B %*% crossprod(U) %*% B
cat(sprintf("== CR1 by hand vs vcovCL: max relative difference %.3g (G = %d)\n",
            max(abs(sqrt(diag(Vh)) / sqrt(diag(vcovCL(fit, cluster = ~account_id, type = "HC1"))) - 1)), G))
