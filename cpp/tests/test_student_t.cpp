// Tests of student_t.hpp: quantiles and CDF against scipy 1.17 (scipy.stats.t), without Python.
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "check.hpp"
#include "outliers/stats/student_t.hpp"

namespace {

bool close_rel(double got, double want, double rtol) {
    if (want == 0.0) return got == 0.0;
    return std::fabs(got - want) <= rtol * std::fabs(want);
}

// p as Python spells it: 1 - 1e-12 is formed the same way, so the same double reaches both.
const double probabilities[] = {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.975, 0.999999, 1 - 1e-12};

struct quantile_row {
    double df;
    double want[9];
};

// python3 -c "from scipy.stats import t; print(repr(t.ppf(p, df)))" for each p above.
const quantile_row quantiles[] = {
    {1.0,
     {-318309886183.7907, -318309.8861827435, -31.82051595377396, -0.7265425280053609, 0.0,
      0.7265425280053608, 12.706204736174694, 318309.88617359026, 318316927901.77966}},
    {2.0,
     {-707106.7811854869, -707.1057205259339, -6.964556734283274, -0.6172133998483678, 0.0,
      0.6172133998483674, 4.302652729749462, 707.1057205157672, 707114.602524408}},
    {3.0,
     {-10331.108244292487, -103.29946778041935, -4.5407028585681335, -0.5843897274398188, 0.0,
      0.5843897274398182, 3.1824463052837078, 103.29946777942898, 10331.184426046091}},
    {5.0,
     {-393.95695957760375, -24.771029720515948, -3.364929998907218, -0.5594296444693604, 0.0,
      0.5594296444693603, 2.5705818356363146, 24.771029720372493, 393.9587026499902}},
    {10.0,
     {-40.5320961786626, -9.751995490940581, -2.763769458112696, -0.5415280387550154, 0.0,
      0.5415280387550154, 2.228138851986274, 9.751995490909856, 40.532186343811446}},
    {30.0,
     {-11.397217523311413, -5.871117120418882, -2.4572615424005915, -0.5300190039065046, 0.0,
      0.5300190039065046, 2.0422724563012378, 5.871117120408624, 11.397227795416011}},
    {100.0,
     {-8.02582559449325, -5.048830877228346, -2.3642173662384818, -0.5260762706003465, 0.0,
      0.5260762706003462, 1.9839715185235518, 5.048830877221446, 8.025830060218647}},
    {1000.0,
     {-7.124228925314409, -4.781608620458351, -2.330082674755513, -0.524567707309227, 0.0,
      0.5245677073092267, 1.9623390808264083, 4.781608620452439, 7.124232127382443}},
    {1e5,
     {-7.035371742393576, -4.753704716391288, -2.3263851653552683, -0.5244021842335457, 0.0,
      0.5244021842335456, 1.9599877075346095, 4.753704716385476, 7.035374828293038}},
    {1e7,
     {-7.03449270352616, -4.753427112755577, -2.326348246948323, -0.5244005294232538, 0.0,
      0.5244005294232537, 1.959964221767205, 4.753427112749766, 7.0344957882843895}},
    {2.5,
     {-55306.17407651582, -220.17342917823686, -5.353111173030874, -0.597307738252318, 0.0,
      0.5973077382523173, 3.5746548420036817, 220.17342917570426, 55306.663471176085}},
};

struct cdf_row {
    double t, df, want;
};

// python3 -c "from scipy.stats import t; print(repr(t.cdf(x, df)))"
const cdf_row cdfs[] = {
    {-40.0, 1.0, 0.007956089912025812},
    {-3.0, 1.0, 0.10241638234956672},
    {-0.5, 1.0, 0.35241638234956674},
    {0.0, 1.0, 0.5},
    {0.25, 1.0, 0.5779791303773694},
    {2.0, 1.0, 0.8524163823495667},
    {6.5, 1.0, 0.951410209652471},
    {-40.0, 2.5, 7.09781714524669e-05},
    {-3.0, 2.5, 0.036288047774515914},
    {-0.5, 2.5, 0.3288489599348574},
    {0.0, 2.5, 0.5},
    {0.25, 2.5, 0.5891596994373484},
    {2.0, 2.5, 0.9213042521210171},
    {6.5, 2.5, 0.9936856289462188},
    {-40.0, 10.0, 1.1404288715428768e-12},
    {-3.0, 10.0, 0.006671827511284785},
    {-0.5, 10.0, 0.3139468028714865},
    {0.0, 10.0, 0.5},
    {0.25, 10.0, 0.596175897131693},
    {2.0, 10.0, 0.9633059826146299},
    {6.5, 10.0, 0.9999655229354574},
    {-3.0, 1e7, 0.0013499013555185817},
    {-0.5, 1e7, 0.3085375442270074},
    {0.0, 1e7, 0.5},
    {0.25, 1e7, 0.5987063231152059},
    {2.0, 1e7, 0.9772498545540785},
    {6.5, 1e7, 0.9999999999598381},
};

void test_student_t_quantile_matches_scipy() {
    double worst = 0.0;
    for (const auto& row : quantiles) {
        for (int k = 0; k < 9; ++k) {
            const double got = outliers::student_t_quantile(probabilities[k], row.df);
            const double want = row.want[k];
            const double rel =
                want == 0.0 ? std::fabs(got) : std::fabs(got - want) / std::fabs(want);
            if (rel > worst) worst = rel;
            if (!close_rel(got, want, 1e-10)) {
                std::printf("quantile(p=%.17g, df=%.17g) = %.17g, scipy %.17g\n", probabilities[k],
                            row.df, got, want);
                ++outliers::testing::failures;
            }
        }
    }
    std::printf("student_t_quantile: worst relative error vs scipy %.3g\n", worst);
}

void test_student_t_cdf_matches_scipy() {
    for (const auto& row : cdfs) {
        const double got = outliers::student_t_cdf(row.t, row.df);
        if (!close_rel(got, row.want, 1e-10)) {
            std::printf("cdf(t=%.17g, df=%.17g) = %.17g, scipy %.17g\n", row.t, row.df, got,
                        row.want);
            ++outliers::testing::failures;
        }
    }
}

void test_student_t_round_trip_and_symmetry() {
    const double dfs[] = {1.0, 1.5, 4.0, 7.25, 14.9, 15.0, 15.1, 40.0, 12345.6, 3e6};
    const double ps[] = {1e-10, 1e-4, 0.02, 0.2, 0.45};
    for (double df : dfs) {
        for (double p : ps) {
            const double t = outliers::student_t_quantile(p, df);
            CHECK(t < 0.0);
            CHECK(close_rel(outliers::student_t_cdf(t, df), p, 1e-12));
            CHECK(close_rel(outliers::student_t_quantile(1.0 - p, df), -t, 1e-6));  // 1 - p rounds
            CHECK(close_rel(outliers::student_t_cdf(-t, df), 1.0 - p, 1e-14));
        }
    }
}

void test_student_t_special_arguments() {
    CHECK(outliers::student_t_quantile(0.5, 7.0) == 0.0);
    CHECK(outliers::student_t_cdf(INFINITY, 3.0) == 1.0);
    CHECK(outliers::student_t_cdf(-INFINITY, 3.0) == 0.0);
    CHECK(std::isnan(outliers::student_t_cdf(NAN, 3.0)));
    // df = inf is the normal distribution.
    CHECK(close_rel(outliers::student_t_quantile(0.975, INFINITY), 1.959963984540054, 1e-14));
    // A quantile beyond the double range overflows to infinity rather than looping.
    CHECK(outliers::student_t_quantile(1e-300, 0.1) == -INFINITY);
}

void test_student_t_rejects_bad_arguments() {
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(0.0, 3.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(1.0, 3.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(-0.1, 3.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(NAN, 3.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(0.3, 0.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(0.3, -1.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_quantile(0.3, NAN); }));
    CHECK(outliers::testing::throws<std::domain_error>([] { outliers::student_t_cdf(0.3, 0.0); }));
}

// Tails below the doubles, from ln q: an ESD with alpha = 5e-324 asks for
// q = alpha / (2(n − i + 1)), which underflows to 0.
void test_student_t_upper_quantile_log() {
    // Where q is a normal double: scipy.stats.t.isf(1e-300, df) (scipy 1.17; it returns -inf for
    // df = 3..10 there, so those are checked below against the tail's asymptotic form).
    const double at_1e300[][2] = {{2.0, 7.071067811865475e+149},
                                  {100.0, 9682.734287069565},
                                  {1e4, 38.356384321004235},
                                  {1e7, 37.04836842874147},
                                  {1e9, 37.04710902029409}};
    for (const auto& row : at_1e300) {
        CHECK(close_rel(outliers::student_t_upper_quantile_log(std::log(1e-300), row[0]), row[1],
                        1e-12));
        CHECK(close_rel(-outliers::student_t_quantile(1e-300, row[0]), row[1], 1e-12));
    }
    // scipy.stats.norm.isf(5e-324) for df = inf.
    CHECK(close_rel(outliers::student_t_upper_quantile_log(std::log(5e-324), INFINITY),
                    38.467405617144344, 1e-13));
    // P(T > t) = C t^-df (1 + O(df / t²)), C = Γ((df+1)/2) df^(df/2 − 1) / (sqrt(π) Γ(df/2)),
    // exact to double precision for these t (> 1e30); df = 2 in closed form, t = 1 / sqrt(2q).
    for (double log_q : {std::log(5e-324), -800.0, -1000.0}) {
        CHECK(close_rel(outliers::student_t_upper_quantile_log(log_q, 2.0),
                        std::exp(-0.5 * (std::log(2.0) + log_q)), 1e-13));
        for (double df : {3.0, 5.0, 10.0}) {
            const double log_c = std::lgamma(0.5 * (df + 1.0)) + (0.5 * df - 1.0) * std::log(df) -
                                 0.5 * std::log(M_PI) - std::lgamma(0.5 * df);
            CHECK(close_rel(outliers::student_t_upper_quantile_log(log_q, df),
                            std::exp((log_c - log_q) / df), 1e-12));
        }
        // The Cauchy quantile 1 / tan(π q) is beyond the doubles there.
        CHECK(outliers::student_t_upper_quantile_log(log_q, 1.0) == INFINITY);
    }
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_upper_quantile_log(-0.1, 3.0); }));
    CHECK(outliers::testing::throws<std::domain_error>(
        [] { outliers::student_t_upper_quantile_log(NAN, 3.0); }));
}

}  // namespace

int main() {
    test_student_t_quantile_matches_scipy();
    test_student_t_cdf_matches_scipy();
    test_student_t_round_trip_and_symmetry();
    test_student_t_special_arguments();
    test_student_t_rejects_bad_arguments();
    test_student_t_upper_quantile_log();
    return outliers::testing::report("test_student_t");
}
