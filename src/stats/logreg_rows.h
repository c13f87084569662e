/* logreg_rows.h - row access to a logistic problem's design, row-major or by column pointers (private). */
#ifndef HC_LOGREG_ROWS_H
#define HC_LOGREG_ROWS_H

#include "hc_logreg.h"

/* Row i of the design: a pointer into X, or the row gathered from the
 * column pointers into `buf` (p doubles). */
static inline const double *logreg_row(const hc_logreg_problem *prob, size_t i,
                                       double *buf)
{
    if (prob->X)
        return prob->X + i * prob->p;
    for (size_t j = 0; j < prob->p; j++)
        buf[j] = prob->cols[j][i];
    return buf;
}

#endif
