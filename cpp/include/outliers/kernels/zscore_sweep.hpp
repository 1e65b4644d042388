// zscore's single read of a large column: a fixed sample gives a shift K close to the mean and
// two bands around the expected bounds; one sweep then sums d = x - K and d^2 (the "shifted
// data" algorithm, whose error grows with (mean - K)^2 / var: Chan, Golub & LeVeque 1983,
// "Algorithms for computing the sample variance: analysis and recommendations") and writes each
// flag whose value lies inside the inner band (0) or outside the outer band (1), keeping the
// few values in between, which settle() decides once the exact statistics are known.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "outliers/column.hpp"
#include "outliers/outputs.hpp"
#include "outliers/parallel.hpp"
#include "outliers/read_doubles.hpp"
#include "outliers/simd/lanes.hpp"

namespace outliers::detail::zscore_impl {

// Above this many values (several parallel blocks, more than the caches hold) the statistics
// and the flags come from a single read of the data; below, from a two-pass sweep.
inline constexpr std::size_t single_read_min = 4 * block_size;

// A shift close to the mean for the one-read sums, and bands that decide most flags before
// the exact statistics are known, from a fixed sample: runs of 8 values (a cache line of
// float64) evenly spread over the column, the same for every thread count.
struct estimate {
    double shift = 0.0;
    bool banded = false;
    lanes::bands bands{};
    double sd = nan;  // the sample's standard deviation
};

// The loops compare squares (lanes::bands): both must be far from underflow and overflow.
inline bool usable(const lanes::bands& b) noexcept {
    return b.inner * b.inner >= 0x1p-1000 && b.outer * b.outer < inf;
}

// How many runs the sample reads. Its bands code only the sweep's first phase (an eighth of
// the data) when flags are asked for, so a small sample: scattered reads are slow, and at 10^6
// values 2048 runs took a fifth of the time.
inline std::size_t sample_lines(std::size_t n) noexcept {
    return std::min<std::size_t>(512, n / 128);
}

// The sum of f(x) over v in eight interleaved partial sums: with one running sum each add waits
// for the one before, which made the sample's statistics a quarter of its time.
template <class F>
double interleaved_sum(const std::vector<double>& v, F f) {
    double part[8] = {};
    std::size_t i = 0;
    for (; i + 8 <= v.size(); i += 8)
        for (std::size_t l = 0; l < 8; ++l) part[l] += f(v[i + l]);
    for (std::size_t l = 0; i < v.size(); ++i, ++l) part[l] += f(v[i]);
    return ((part[0] + part[1]) + (part[2] + part[3])) +
           ((part[4] + part[5]) + (part[6] + part[7]));
}

// The shift and bands from the sample's finite values `v` (not empty). A constant sample gives
// its value exactly, and no bands: constant data then has deviations of exactly 0.
inline estimate estimate_from(const std::vector<double>& v, double threshold) {
    estimate e;
    e.shift = v[0];
    if (std::all_of(v.begin(), v.end(), [&](double x) { return x == v[0]; })) return e;
    const auto count = static_cast<double>(v.size());
    const double mean = interleaved_sum(v, [](double x) { return x; }) / count;
    const auto square = [mean](double x) { return (x - mean) * (x - mean); };
    const double m2 = interleaved_sum(v, square);
    const double m4 = interleaved_sum(v, [&](double x) { return square(x) * square(x); });
    e.shift = std::isfinite(mean) ? mean : v[0];  // a sum of huge values can overflow
    const double var = m2 / count;
    e.sd = std::sqrt(var);
    const double kurtosis = m4 / count / (var * var);
    const double limit = threshold * e.sd;
    // Relative margin for the unknown final limit: four standard errors of the sample std
    // (Var(s^2) ~ (m4 - s^4) / N) and of the sample mean (in units of the limit), plus 1%.
    const double margin = 0.01 + 2.0 * std::sqrt(std::max(kurtosis - 1.0, 0.0) / count) +
                          4.0 / (threshold * std::sqrt(count));
    if (!(var > 0.0) || !std::isfinite(limit) || !std::isfinite(mean) || !(margin < 0.5)) return e;
    e.bands = {limit * (1.0 - margin), limit * (1.0 + margin)};
    e.banded = usable(e.bands);
    return e;
}

// Beyond this many of the sample's standard deviations from its mean, a value is left out of
// the sample's second try (below).
inline constexpr double sample_trim = 6.0;

template <class T>
estimate sample(const double_reader<T>& reader, std::size_t n, double threshold) {
    constexpr std::size_t run = 8;
    const std::size_t lines = sample_lines(n);
    std::vector<double> v(lines * run);  // filled up to n_kept: push_back's checks cost a third
    std::size_t n_kept = 0;
    const auto start_of = [&](std::size_t k) {
        return lines > 1 ? k * (n - run) / (lines - 1) : 0;
    };
    // Scattered lines: fetch a few dozen ahead, or each read waits for memory on its own.
    constexpr std::size_t ahead = 32;
    for (std::size_t k = 0; k < std::min(ahead, lines); ++k) reader.prefetch(start_of(k));
    for (std::size_t k = 0; k < lines; ++k) {
        if (k + ahead < lines) reader.prefetch(start_of(k + ahead));
        const std::size_t start = start_of(k);
        for (std::size_t i = start; i < start + run; ++i) {
            const double x = reader.at(i);
            if (std::fabs(x) < inf) v[n_kept++] = x;
        }
    }
    v.resize(n_kept);
    if (v.empty()) return {};
    const estimate e = estimate_from(v, threshold);
    if (e.banded || !(e.sd > 0.0 && e.sd < inf)) return e;  // no spread to trim by
    // One large spike among the sample's values makes its kurtosis, and so its margin, too
    // large for bands. A second try leaves out what lies beyond sample_trim standard
    // deviations: its bands may be wrong for the data (spikes the sample saw are rare or not),
    // which the exact check after the sweep finds, and the first phase is redone: as costly as
    // a first phase without bands, whose flags are written at the end.
    const double mean = e.shift, cut = sample_trim * e.sd;
    std::vector<double> kept;
    kept.reserve(v.size());
    for (double x : v)
        if (std::fabs(x - mean) <= cut) kept.push_back(x);
    if (kept.size() == v.size() || kept.size() < v.size() / 2) return e;
    const estimate trimmed = estimate_from(kept, threshold);
    return trimmed.banded ? trimmed : e;
}

// The mean of x - K and of (x - K)^2 over one sub-block: the first phase's batches.
struct batch {
    double offset, square;
};

// The second phase's bands, from the first phase's exact sums (s1, s2: of x - K; n values):
// the expected limit, with a margin of four standard errors (plus 0.2%) for the limit and for
// the mean, each error estimated from the spread of the sub-blocks' means (the method of batch
// means: it sees heavy tails, such as rare spikes, that a sample misses), widened by the
// distance between K, which the bands are centred on, and the first phase's mean. The
// sample's bands when those come out unusable.
inline lanes::bands refine(const estimate& e, double s1, double s2, double n,
                           const std::vector<batch>& batches, double threshold) {
    const auto k = static_cast<double>(batches.size());
    if (!(n > 1.0) || k < 16) return e.bands;
    double mo = 0.0, ms = 0.0, vo = 0.0, vs = 0.0;
    for (const batch& b : batches) {
        mo += b.offset;
        ms += b.square;
    }
    mo /= k;
    ms /= k;
    for (const batch& b : batches) {
        vo += (b.offset - mo) * (b.offset - mo);
        vs += (b.square - ms) * (b.square - ms);
    }
    const double se_offset = std::sqrt(vo / (k - 1.0) / k);
    const double se_square = std::sqrt(vs / (k - 1.0) / k);
    const double offset = s1 / n;  // mean - K
    const double var = s2 / n - offset * offset;
    if (!(var > 0.0)) return e.bands;
    const double limit = threshold * std::sqrt(var);
    // Relative error of the limit = half that of the variance.
    const double margin = 0.002 + 2.0 * se_square / var;
    const double widen = std::fabs(offset) + 4.0 * se_offset;
    const lanes::bands b{limit * (1.0 - margin) - widen, limit * (1.0 + margin) + widen};
    return b.inner > 0.0 && margin < 0.5 && usable(b) ? b : e.bands;
}

// True when every code written with `b` around `shift` is the final flag |x - mean| > limit,
// or undecided. Rounding is monotone, and each of the roundings of x - shift, its square and
// the squared bands moves a value by at most a relative 2^-53: the values coded 0 lie within
// inner (1 + 2^-51) of shift, those coded 1 beyond outer (1 - 2^-51). So fl|x - mean| stays
// <= limit on the first and > limit on the second when |shift - mean| + inner <= limit <=
// outer - |shift - mean|, each side with a slack of 2^-40 relative to the magnitudes involved,
// which covers those roundings and the rounded test itself.
inline bool bands_hold(const lanes::bands& b, double shift, double mean, double limit) noexcept {
    const double gap = std::fabs(shift - mean);
    const double slack = 0x1p-40 * (std::fabs(shift) + std::fabs(mean) + b.outer + limit);
    return gap + b.inner + slack <= limit && limit <= b.outer - gap - slack;
}

// A value the bands left undecided: its offset in its block, and the value itself (so that
// settling it reads no data again).
struct pending {
    std::uint16_t offset;
    double value;
};

// The sweep runs in two phases: first every this-many-th run of sub-blocks (an eighth of the
// data, spread over the whole column), then the others, with bands from the first phase's
// exact sums (refine). On 10^7 normal values with spikes that leaves 12,000 values undecided
// rather than 23,000, and when rare spikes fool the sample, only the first phase's flags are
// redone.
inline constexpr std::size_t phase_stride = 8;

// Sub-blocks per run: as long as possible up to a block (short runs cost the prefetchers a
// restart each: 16 KiB runs made the first phase read at half speed) while the first phase
// keeps at least four runs spread over the column.
inline std::size_t phase_run(std::size_t sub_blocks) noexcept {
    std::size_t run = block_size / lanes::sub_block;
    while (run > 1 && sub_blocks < 4 * phase_stride * run) run /= 2;
    return run;
}

inline int phase_of(std::size_t sub_block, std::size_t run) noexcept {
    return sub_block / run % phase_stride == 0 ? 0 : 1;
}

// One parallel block's undecided values, per phase.
struct block_pending {
    std::vector<pending> undecided[2];  // the code-2 values
    bool overflow[2] = {false, false};  // too many to keep: those sub-blocks are redone
};

inline constexpr std::size_t undecided_cap = block_size / 16;

// What the sweep leaves for the flags once the statistics are known.
struct sweep_state {
    bool phased = false;            // flags wanted (and no scores): the two phases code them
    bool code[2] = {false, false};  // the phase writes flags with its bands
    estimate guess;
    lanes::bands bands[2];  // of the sweep's two phases
    std::size_t run = 1;    // sub-blocks per run of one phase
    std::vector<block_pending> blocks;
};

// Per sub-block sums of x - K, (x - K)^2 and the count.
using sub_sums = std::array<double, 3>;

// One phase of the sweep over the parallel block b = [begin, end): the sums of each of its
// sub-blocks in that phase, the flags its bands decide, the values they leave undecided.
template <class T>
void sweep_phase(const double_reader<T>& reader, cpu::level level, int phase, std::size_t b,
                 std::size_t begin, std::size_t end, sweep_state& st, std::vector<sub_sums>& subs,
                 const outputs& out, bool stream) {
    double buf[lanes::sub_block];
    std::uint16_t offsets[lanes::sub_block];
    double values[lanes::sub_block];
    block_pending& acc = st.blocks[b];
    bool missing_before = false;  // in the previous sub-block: the masked loop at once
    for (std::size_t s = begin; s < end; s += lanes::sub_block) {
        if ((st.phased ? phase_of(s / lanes::sub_block, st.run) : 0) != phase) continue;
        const std::size_t len = std::min(lanes::sub_block, end - s);
        const double* x = reader.read(s, len, buf);
        std::size_t n_undecided = 0;
        const lanes::shifted_sums a =
            lanes::shifted(level, x, len, st.guess.shift, st.bands[phase],
                           st.code[phase] ? out.flags + s : nullptr, stream, offsets, values,
                           &n_undecided, missing_before);
        sub_sums& sub = subs[s / lanes::sub_block];
        sub = {0.0, 0.0, 0.0};
        for (std::size_t l = 0; l < lanes::width; ++l) {
            sub[0] += a.s1[l];
            sub[1] += a.s2[l];
            sub[2] += a.n[l];
        }
        missing_before = sub[2] < static_cast<double>(len);
        std::vector<pending>& list = acc.undecided[phase];
        if (acc.overflow[phase] || n_undecided == 0) continue;
        if (list.size() + n_undecided > undecided_cap) {
            acc.overflow[phase] = true;
            list = {};
            continue;
        }
        for (std::size_t j = 0; j < n_undecided; ++j)
            list.push_back({static_cast<std::uint16_t>(s - begin + offsets[j]), values[j]});
    }
    lanes::store_fence();
}

// The second phase's bands from the first phase's sub-block sums (refine()).
inline lanes::bands second_bands(const sweep_state& st, const std::vector<sub_sums>& subs,
                                 double threshold) {
    double s1 = 0.0, s2 = 0.0, n = 0.0;
    std::vector<batch> batches;
    for (std::size_t g = 0; g < subs.size(); ++g) {
        if (phase_of(g, st.run) != 0) continue;
        s1 += subs[g][0];
        s2 += subs[g][1];
        n += subs[g][2];
        if (subs[g][2] > 0.0) batches.push_back({subs[g][0] / subs[g][2], subs[g][1] / subs[g][2]});
    }
    return refine(st.guess, s1, s2, n, batches, threshold);
}

// The column's count, mean and M2 from one read (the sweep); count -1 when the shift K proved
// too far from the mean for the shifted sums to be exact to rounding (the caller then takes
// the two-pass moments). `st` keeps what settle() needs.
template <class T>
void one_read(const double_reader<T>& reader, cpu::level level, double threshold,
              const outputs& out, bool stream, sweep_state& st, double& count, double& mean,
              double& m2) {
    const std::size_t n_all = reader.size();
    st.guess = sample(reader, n_all, threshold);
    st.phased = out.flags && !out.scores;
    st.blocks.resize(block_count(n_all));
    // Per sub-block sums, added in sub-block order at the end: the same order as without
    // phases, so the statistics do not depend on the outputs.
    std::vector<sub_sums> subs(block_count(n_all, lanes::sub_block));
    st.run = phase_run(subs.size());
    st.bands[0] = st.bands[1] = st.guess.bands;
    // Without flags to code, one phase. A phase codes flags when its bands are usable: the
    // first phase's come from the sample, which heavy tails can leave without (sample()), the
    // second's from the first phase's sums. The flags a phase did not code are written once the
    // statistics are known.
    st.code[0] = st.phased && usable(st.bands[0]);
    const auto pass = [&](int phase) {
        for_each_block(n_all, [&](std::size_t b, std::size_t begin, std::size_t end) {
            sweep_phase(reader, level, phase, b, begin, end, st, subs, out, stream);
        });
    };
    pass(0);
    if (st.phased) {
        st.bands[1] = second_bands(st, subs, threshold);
        st.code[1] = usable(st.bands[1]);
        pass(1);
    }
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t b = 0; b < st.blocks.size(); ++b) {
        double bs[3] = {0.0, 0.0, 0.0};
        const std::size_t first = b * (block_size / lanes::sub_block);
        const std::size_t last = std::min(subs.size(), first + block_size / lanes::sub_block);
        for (std::size_t g = first; g < last; ++g)
            for (int j = 0; j < 3; ++j) bs[j] += subs[g][j];
        s1 += bs[0];
        s2 += bs[1];
        count += bs[2];
    }
    if (count > 0.0) {
        // Deviations from the rounded mean, as numpy's std takes them: with delta = mean - K
        // (exact: the two are close), sum (x - mean)^2 = S2 - delta (2 S1 - n delta).
        mean = st.guess.shift + s1 / count;
        const double delta = mean - st.guess.shift;
        const double shift_term = delta * (2.0 * s1 - count * delta);  // ~ n (mean - K)^2
        m2 = std::max(0.0, s2 - shift_term);
        // K within 32 standard deviations of the mean keeps the cancellation below 2^10 ulps.
        if (!(shift_term <= 1024.0 * m2) || !std::isfinite(m2)) count = -1.0;
    }
}

// The flags the sweep left undecided, now that mean and limit are known. Where a phase's bands
// proved to hold (bands_hold), only its kept values are settled; otherwise (a guess misled, or
// too many were undecided) that phase's flags are written again.
template <class T>
void settle(const double_reader<T>& reader, cpu::level level, const sweep_state& st, double mean,
            double limit, std::uint8_t* flags) {
    const bool hold[2] = {st.code[0] && bands_hold(st.bands[0], st.guess.shift, mean, limit),
                          st.code[1] && bands_hold(st.bands[1], st.guess.shift, mean, limit)};
    for_each_block(reader.size(), [&](std::size_t b, std::size_t begin, std::size_t end) {
        const block_pending& acc = st.blocks[b];
        for (int phase : {0, 1}) {
            if (!acc.overflow[phase] && hold[phase]) {
                // The sweep wrote 0 for every undecided value: only the flagged ones are stored
                // (each store may miss the caches, which streamed flags bypassed).
                for (const pending& u : acc.undecided[phase])
                    if (std::fabs(u.value - mean) > limit) flags[begin + u.offset] = 1;
                continue;
            }
            double buf[lanes::sub_block];
            for (std::size_t s = begin; s < end; s += lanes::sub_block) {
                if (phase_of(s / lanes::sub_block, st.run) != phase) continue;
                const std::size_t len = std::min(lanes::sub_block, end - s);
                lanes::beyond(level, reader.read(s, len, buf), len, mean, limit, flags + s);
            }
        }
    });
}

}  // namespace outliers::detail::zscore_impl
