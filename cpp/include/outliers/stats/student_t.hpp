// Student's t distribution (CDF and quantile) to near double precision, for the ESD critical
// values.
#pragma once

#include <cmath>
#include <limits>
#include <stdexcept>

namespace outliers {

namespace detail::t_dist {

inline constexpr double pi = 3.141592653589793238462643383279502884;
inline constexpr double half_log_pi = 0.5723649429247000870717136756012478;  // ln Γ(1/2)

// Standard normal quantile for a tail probability q in [0, 1/2]: returns z <= 0 with
// Φ(z) = q. Wichura (1988), Algorithm AS 241 (PPND16), Applied Statistics 37(3), relative
// accuracy about 1e-16. Taking the tail directly avoids forming 1 - q. In the tails it needs
// only log_q = ln q, which stays exact where q itself underflows.
inline double normal_lower_quantile(double q, double log_q) {
    const double d = q - 0.5;
    if (std::fabs(d) <= 0.425) {
        const double r = 0.180625 - d * d;
        return d *
               (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r +
                     67265.770927008700853) *
                        r +
                    45921.953931549871457) *
                       r +
                   13731.693765509461125) *
                      r +
                  1971.5909503065514427) *
                     r +
                 133.14166789178437745) *
                    r +
                3.387132872796366608) /
               (((((((r * 5226.495278852545925 + 28729.085735721942674) * r +
                     39307.89580009271061) *
                        r +
                    21213.794301586595867) *
                       r +
                   5394.1960214247511077) *
                      r +
                  687.1870074920579083) *
                     r +
                 42.313330701600911252) *
                    r +
                1.0);
    }
    double r = std::sqrt(-log_q);
    double z;
    if (r <= 5.0) {
        r -= 1.6;
        z = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r +
                  0.24178072517745061177) *
                     r +
                 1.27045825245236838258) *
                    r +
                3.64784832476320460504) *
                   r +
               5.7694972214606914055) *
                  r +
              4.6303378461565452959) *
                 r +
             1.42343711074968357734) /
            (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r +
                  0.0151986665636164571966) *
                     r +
                 0.14810397642748007459) *
                    r +
                0.68976733498510000455) *
                   r +
               1.6763848301838038494) *
                  r +
              2.05319162663775882187) *
                 r +
             1.0);
    } else {
        r -= 5.0;
        z = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r +
                  0.0012426609473880784386) *
                     r +
                 0.026532189526576123093) *
                    r +
                0.29656057182850489123) *
                   r +
               1.7848265399172913358) *
                  r +
              5.4637849111641143699) *
                 r +
             6.6579046435011037772) /
            (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r +
                  1.8463183175100546818e-5) *
                     r +
                 7.868691311456132591e-4) *
                    r +
                0.0148753612908506148525) *
                   r +
               0.13692988092273580531) *
                  r +
              0.59983220655588793769) *
                 r +
             1.0);
    }
    return -z;
}

inline double normal_lower_quantile(double q) { return normal_lower_quantile(q, std::log(q)); }

// δ(x) = ln Γ(x) − [(x − ½) ln x − x + ½ ln 2π], the Stirling series remainder, for x >= 10
// (Abramowitz & Stegun 6.1.41; the omitted term is below 1e-17 there).
inline double stirling_remainder(double x) {
    const double y = 1.0 / (x * x);
    return (1.0 / 12.0 +
            y * (-1.0 / 360.0 +
                 y * (1.0 / 1260.0 +
                      y * (-1.0 / 1680.0 +
                           y * (1.0 / 1188.0 +
                                y * (-691.0 / 360360.0 +
                                     y * (1.0 / 156.0 + y * (-3617.0 / 122400.0)))))))) /
           x;
}

// ln Γ(a + ½) − ln Γ(a) for a > 0. For large a the two log-gammas are ~1e8 each and their
// difference would keep only ~8 digits, so it is formed from the Stirling series difference
// (the device of DiDonato & Morris 1992, TOMS 708, ALGDIV); small a is shifted up to >= 10 with
// Γ(x + 1) = x Γ(x). std::lgamma is avoided: glibc's writes the global signgam (a data race
// when columns run in parallel).
inline double log_gamma_ratio_half(double a) {
    double shift = 0.0;  // ln Π (a + j) / (a + j + ½)
    if (a < 10.0) {
        double prod = 1.0;
        while (a < 10.0) {
            prod *= a / (a + 0.5);
            a += 1.0;
        }
        shift = std::log(prod);
    }
    const double b = 0.5;
    return (a - 0.5) * std::log1p(b / a) - b + b * std::log(a + b) + stirling_remainder(a + b) -
           stirling_remainder(a) + shift;
}

// ln B(a, ½) = ln Γ(½) − [ln Γ(a + ½) − ln Γ(a)].
inline double log_beta_half(double a) { return half_log_pi - log_gamma_ratio_half(a); }

// Continued fraction of the regularized incomplete beta function,
// I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) · cf(a, b, x), evaluated with the modified Lentz
// method (Lentz 1976; Thompson & Barnett 1986; Numerical Recipes 3rd ed. §6.4 "betacf").
// It converges quickly for x < (a + 1) / (a + b + 2); the caller swaps (a, b, x) otherwise.
// Near that boundary the number of terms grows like sqrt(max(a, b)): a few thousand for
// df = 1e7, still cheap.
inline double incomplete_beta_cf(double a, double b, double x) {
    constexpr double tiny = 1e-300;
    constexpr double eps = std::numeric_limits<double>::epsilon();
    constexpr int max_terms = 1'000'000;
    const double qab = a + b, qap = a + 1.0, qam = a - 1.0;
    double c = 1.0;
    double d = 1.0 - qab * x / qap;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= max_terms; ++m) {
        const double dm = m;
        const double m2 = 2.0 * dm;
        double aa = dm * (b - dm) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        h *= d * c;
        aa = -(a + dm) * (qab + dm) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1.0 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1.0) <= eps) break;
    }
    return h;
}

// I_x(a, ½) for a >= 15 and x >= ½ by the asymptotic expansion in incomplete gamma functions of
// DiDonato & Morris (1992), TOMS 708, routine BGRAT (their eqs. 9-9.6), specialised to b = ½,
// where Q(½, z) = erfc(sqrt(z)). Near x = 1 the continued fraction needs ~sqrt(a) terms and
// its rounding errors pile up (1e-10 relative at df = 1e7); this expansion needs a few dozen
// terms and keeps full precision. log_x = ln x, computed accurately by the caller. Returns NaN
// when the expansion cannot be used (the caller then falls back to the continued fraction).
inline double incomplete_beta_half_bgrat(double a, double log_x) {
    constexpr double b = 0.5, bm1 = -0.5;
    constexpr double eps = std::numeric_limits<double>::epsilon();
    const double nu = a + 0.5 * bm1;
    const double z = -nu * log_x;
    if (!(z > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    // r = e^{-z} z^b / Γ(b); the result is C r Σ with C = Γ(a + b) / (Γ(a) nu^b).
    const double r = std::exp(-z + b * std::log(z) - half_log_pi);
    const double big_c = std::exp(log_gamma_ratio_half(a) - b * std::log(nu));
    if (!(r > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    const double q = std::erfc(std::sqrt(z));  // Q(½, z)
    const double v = 0.25 / (nu * nu);
    const double t2 = 0.25 * log_x * log_x;
    double j = q / r, sum = j, t = 1.0, cn = 1.0, n2 = 0.0;
    double c[30], d[30];
    for (int n = 1; n <= 30; ++n) {
        const double bp2n = b + n2;
        j = (bp2n * (bp2n + 1.0) * j + (z + bp2n + 1.0) * t) * v;
        n2 += 2.0;
        t *= t2;
        cn /= n2 * (n2 + 1.0);
        c[n - 1] = cn;
        double s = 0.0;
        double coef = b - n;
        for (int i = 1; i < n; ++i) {
            s += coef * c[i - 1] * d[n - i - 1];
            coef += b;
        }
        d[n - 1] = bm1 * cn + s / n;
        const double dj = d[n - 1] * j;
        sum += dj;
        if (!(sum > 0.0)) return std::numeric_limits<double>::quiet_NaN();
        if (std::fabs(dj) <= eps * sum) break;
    }
    return big_c * r * sum;
}

// ln P(T > t) for t >= 0 with df degrees of freedom (0 < df < inf).
// P(T > t) = ½ I_x(df/2, ½) with x = df / (df + t²) (Abramowitz & Stegun 26.7.1 with 26.5.27).
// x and y = 1 − x = t² / (df + t²) are both formed directly, never as 1 − the other, and
// their logarithms via log1p, so neither a huge t nor a huge df loses digits.
inline double log_t_upper_tail(double t, double df) {
    if (t == 0.0) return std::log(0.5);
    const double a = 0.5 * df, b = 0.5;
    double x, y, log_x, log_y;
    if (t * t < df) {  // v = t² / df < 1
        const double v = t * t / df;
        x = 1.0 / (1.0 + v);
        y = v / (1.0 + v);
        log_x = -std::log1p(v);
        log_y = std::log(v) - std::log1p(v);
    } else {  // u = df / t² <= 1, formed without squaring a possibly huge t
        const double u = (df / t) / t;
        if (u == 0.0) return -std::numeric_limits<double>::infinity();
        x = u / (1.0 + u);
        y = 1.0 / (1.0 + u);
        log_x = std::log(u) - std::log1p(u);
        log_y = -std::log1p(u);
    }
    // ln[x^a y^b / B(a, b)], the common prefactor of both forms below.
    if (a >= 15.0 && x >= 0.5) {
        const double ix = incomplete_beta_half_bgrat(a, log_x);
        if (ix > 0.0) return std::log(0.5) + std::log(ix);
    }
    const double log_front = a * log_x + b * log_y - log_beta_half(a);
    if (x < (a + 1.0) / (a + b + 2.0)) {
        // Upper tail directly: ½ I_x(a, b).
        return std::log(0.5) + log_front + std::log(incomplete_beta_cf(a, b, x) / a);
    }
    // Symmetry I_x(a, b) = 1 − I_y(b, a). In this region I_y(½, a) stays below ~0.92, so the
    // subtraction costs at most about one digit.
    const double iy = std::exp(log_front) * incomplete_beta_cf(b, a, y) / b;
    return std::log(0.5) + std::log1p(-iy);
}

// ln of the t density: f(t) = (1 + t²/df)^(−(df+1)/2) / (sqrt(df) B(df/2, ½)).
inline double log_t_density(double t, double df) {
    const double at = std::fabs(t);
    double log1p_v;  // ln(1 + t²/df)
    if (at * at < df) {
        log1p_v = std::log1p(at * at / df);
    } else {
        const double u = (df / at) / at;
        log1p_v = 2.0 * std::log(at) - std::log(df) + std::log1p(u);
    }
    return -0.5 * (df + 1.0) * log1p_v - 0.5 * std::log(df) - log_beta_half(0.5 * df);
}

// Starting value for the upper-tail quantile t > 0 with P(T > t) = q, q in (0, ½):
// Hill (1970), "Algorithm 396: Student's t-quantiles", CACM 13(10), in the form R's qt() uses.
// q may have underflowed to 0 (or lost digits as a subnormal): then log_q = ln q stands in.
inline double hill_start(double q, double df, double log_q) {
    const double P = 2.0 * q;  // two-sided tail probability
    const double a = 1.0 / (df - 0.5);
    const double b = 48.0 / (a * a);
    double c = ((20700.0 * a / b - 98.0) * a - 16.0) * a + 96.36;
    const double d = ((94.5 / (b + c) - 3.0) / b + 1.0) * std::sqrt(a * pi / 2.0) * df;
    double y = q >= std::numeric_limits<double>::min()
                   ? std::pow(d * P, 2.0 / df)
                   : std::exp(2.0 / df * (std::log(2.0 * d) + log_q));
    if (y > 0.05 + a) {
        // Asymptotic inverse expansion about the normal.
        const double x = normal_lower_quantile(q, log_q);
        y = x * x;
        if (df < 5.0) c += 0.3 * (df - 4.5) * (x + 0.6);
        c = (((0.05 * d * x - 5.0) * x - 7.0) * x - 2.0) * x + b + c;
        y = (((((0.4 * y + 6.3) * y + 36.0) * y + 94.5) / c - y - 3.0) / b + 1.0) * x;
        y = std::expm1(a * y * y);
    } else {
        y = ((1.0 / (((df + 6.0) / (df * y) - 0.089 * d - 0.822) * (df + 2.0) * 3.0) +
              0.5 / (df + 4.0)) *
                 y -
             1.0) *
                (df + 1.0) / (df + 2.0) +
            1.0 / y;
    }
    return std::sqrt(df * y);
}

// Upper-tail quantile: t >= 0 with P(T > t) = q, q in (0, ½], given with log_q = ln q. Where
// q is below the normal doubles (an ESD with a tiny alpha: q = alpha / (2(n − i + 1)) can
// underflow to 0) only log_q is used, so the quantile stays exact; +inf when it exceeds the
// double range (df = 1 below q ~ 1.8e-309).
inline double t_upper_quantile(double q, double df, double log_q) {
    if (q == 0.5) return 0.0;
    const bool tiny = q < std::numeric_limits<double>::min();
    if (std::isinf(df)) return -normal_lower_quantile(q, log_q);
    // Closed forms (e.g. Hill 1970): df = 1 is the Cauchy distribution, df = 2 is algebraic.
    if (df == 1.0) return q > 0.25 ? std::tan(pi * (0.5 - q)) : 1.0 / std::tan(pi * q);
    if (df == 2.0) {
        // For tiny q, t = (1 − 2q) / sqrt(2q(1 − q)) is 1 / sqrt(2q) to double precision.
        if (tiny) return std::exp(-0.5 * (std::log(2.0) + log_q));
        return (1.0 - 2.0 * q) / std::sqrt(2.0 * q * (1.0 - q));
    }
    if (df > 1e8) {
        // Cornish–Fisher expansion about the normal quantile (Abramowitz & Stegun 26.7.5);
        // the first omitted term is ~z^11/df^5, below 1e-25 relative here for any q >= 1e-300.
        const double z = -normal_lower_quantile(q, log_q), z2 = z * z;
        const double g1 = (z2 + 1.0) * z / 4.0;
        const double g2 = ((5.0 * z2 + 16.0) * z2 + 3.0) * z / 96.0;
        const double g3 = (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) * z / 384.0;
        const double g4 =
            ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) * z / 92160.0;
        return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    }
    // Newton's method on g(t) = ln P(T > t) − ln q, whose slope is −f(t)/P(T > t): working with
    // the logarithm keeps the iteration well scaled from the centre out to 1e-300 tails. A
    // bracket [lo, hi] guards it: a step that leaves the bracket is replaced by bisection.
    double t = hill_start(q, df, log_q);
    if (!(t > 0.0) || !std::isfinite(t)) t = 1.0;
    double lo = 0.0, hi = std::numeric_limits<double>::infinity();
    for (int iter = 0; iter < 200; ++iter) {
        const double log_tail = log_t_upper_tail(t, df);
        const double g = log_tail - log_q;
        if (g == 0.0) return t;
        (g > 0.0 ? lo : hi) = t;
        double next = t + g * std::exp(log_tail - log_t_density(t, df));
        if (!(next > lo && next < hi)) {
            if (std::isinf(hi))
                next = 4.0 * t;
            else
                next = lo > 0.0 && hi > 4.0 * lo ? std::sqrt(lo * hi) : 0.5 * (lo + hi);
            if (std::isinf(next)) return next;  // the quantile exceeds the double range
        }
        if (std::fabs(next - t) <= 4.0 * std::numeric_limits<double>::epsilon() * next) return next;
        if (hi - lo <= 2.0 * std::numeric_limits<double>::epsilon() * lo) return next;
        t = next;
    }
    return t;
}

inline void check_df(double df) {
    if (!(df > 0.0)) throw std::domain_error("student_t: df must be > 0");
}

}  // namespace detail::t_dist

// P(T <= t) for Student's t with df degrees of freedom (df > 0, +inf allowed: the normal).
inline double student_t_cdf(double t, double df) {
    detail::t_dist::check_df(df);
    if (std::isnan(t)) return t;
    if (std::isinf(df)) return 0.5 * std::erfc(-t / std::sqrt(2.0));
    if (std::isinf(t)) return t > 0.0 ? 1.0 : 0.0;
    const double tail = std::exp(detail::t_dist::log_t_upper_tail(std::fabs(t), df));
    return t < 0.0 ? tail : 1.0 - tail;
}

// The p-quantile of Student's t with df degrees of freedom: t with P(T <= t) = p.
// For p > ½ the upper tail 1 − p (exact in floating point there) is solved instead, so the
// quantile is as accurate near 1 as near 0.
inline double student_t_quantile(double p, double df) {
    if (!(p > 0.0 && p < 1.0)) throw std::domain_error("student_t_quantile: p must be in (0, 1)");
    detail::t_dist::check_df(df);
    const double tail = p < 0.5 ? p : 1.0 - p;
    const double t = detail::t_dist::t_upper_quantile(tail, df, std::log(tail));
    return p < 0.5 ? -t : t;
}

// The upper-tail quantile from the logarithm of the tail probability: t >= 0 with
// ln P(T > t) = log_q (log_q <= ln ½), for tails too small for a double (scipy's
// t.isf(exp(log_q), df) where that exp does not underflow). +inf when t exceeds the doubles.
inline double student_t_upper_quantile_log(double log_q, double df) {
    if (!(log_q <= std::log(0.5)))
        throw std::domain_error("student_t_upper_quantile_log: log_q must be <= ln(1/2)");
    detail::t_dist::check_df(df);
    return detail::t_dist::t_upper_quantile(std::exp(log_q), df, log_q);
}

}  // namespace outliers
