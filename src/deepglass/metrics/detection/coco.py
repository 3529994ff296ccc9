"""COCO bounding-box evaluation, equal to pycocotools' ``COCOeval`` and vectorised.

The rules (pycocotools' ``evaluate`` + ``accumulate`` + ``summarize``):

* IoU thresholds ``np.linspace(.5, .95, 10)``, recall thresholds
  ``np.linspace(0, 1, 101)``, ``maxDets`` 1/10/100, area ranges all / small
  ``[0, 32²]`` / medium ``[32², 96²]`` / large ``[96², 1e10]`` with inclusive
  bounds (an area of exactly 32² is both small and medium).
* Per (image, class) detections are ordered by score with a stable sort and
  cut to the largest ``maxDet``. Each detection in turn takes the still
  unmatched ground truth with the highest IoU ``>= min(t, 1 - 1e-10)``; ties go
  to the later ground truth; ground truths that are not ignored are preferred
  to ignored ones; crowd ground truths (``iscrowd=1``, always ignored) can
  absorb any number of detections and their IoU uses the detection's area as
  the union.
* Ignored: crowd ground truth, ground truth outside the area range, and
  unmatched detections outside the area range. Detections matched to an
  ignored ground truth are neither TP nor FP.
* Per class, detections of all images are merged (stable sort by score, images
  in id order). ``P = TP / (TP + FP + eps)``, ``R = TP / #non-ignored gt``;
  precision is made monotone (``P_interp(r) = max_{r' >= r} P(r')``) and read
  at the first point with recall ``>= r`` for each of the 101 thresholds.
  ``AP`` is the mean over entries ``> -1`` (-1 marks classes or ranges
  without ground truth).

Speed: instead of a Python loop per (image, class, area, threshold), all
detection-gt pairs with IoU above the lowest threshold are processed at once,
one detection rank at a time (the first-scored detection of every image and
class together, then the second, ...), for all thresholds and area ranges in
one array operation. The matching stays exactly greedy.

Deliberate departures from pycocotools:

* NaN/infinite coordinates or scores and negative widths/heights raise
  ``ValueError`` (pycocotools gives IoU 1.0 to a NaN coordinate).
* An empty result list gives AP 0 for every class with ground truth
  (pycocotools raises ``IndexError``).
* The 12 stats use the largest ``maxDet`` given (pycocotools needs 100).
* A ground truth with annotation id 0 is matched like any other (pycocotools
  stores the id as the match marker and so counts the match as a false
  positive).
* Only ``iouType="bbox"`` with ``useCats=1``.
"""
from __future__ import annotations

import numpy as np

from .cocoio import CocoDetections, CocoGroundTruth, load_detections, load_ground_truth

__all__ = ["COCOEvalResult", "coco_evaluate"]

AREA_RANGES = ((0.0, 1e5**2), (0.0, 32.0**2), (32.0**2, 96.0**2), (96.0**2, 1e5**2))
AREA_LABELS = ("all", "small", "medium", "large")


class COCOEvalResult:
    """What :func:`coco_evaluate` returns.

    Attributes:
        stats: the 12 numbers of pycocotools' ``COCOeval.stats``.
        precision: ``[T, R, K, A, M]`` as ``COCOeval.eval['precision']``.
        recall: ``[T, K, A, M]`` as ``COCOeval.eval['recall']``.
        scores: ``[T, R, K, A, M]`` detection scores at the recall thresholds.
        iou_thresholds, rec_thresholds, max_dets, area_ranges, area_labels,
        img_ids, cat_ids: the parameters used.
        cat_names: category id -> name.
        matches: per kept detection (area "all", largest maxDet): ``category``
            (index into ``cat_ids``), ``score``, ``tp[T, D]``, ``fp[T, D]``, and
            ``n_pos[K]`` (non-ignored ground truths per class).
        ap_per_class, ap50_per_class, ap75_per_class: per category (in ``cat_ids``
            order), area "all", largest maxDet; -1 where the class has no ground truth.
    """

    def __init__(self, precision, recall, scores, params):
        self.precision = precision
        self.recall = recall
        self.scores = scores
        for k, v in params.items():
            setattr(self, k, v)
        self.stats = self._stats()
        p = precision[:, :, :, 0, -1]
        self.ap_per_class = np.array([_mean_valid(p[:, :, k]) for k in range(p.shape[2])])
        self.ap50_per_class = self._at(0.5, p)
        self.ap75_per_class = self._at(0.75, p)

    def f1_confidence(self, k: int, iou: float = 0.5):
        """F1 against the confidence threshold for class index ``k`` at one IoU threshold.

        Detections (all areas, largest maxDet) are swept by decreasing score; at each
        distinct score ``P = TP / (TP + FP)``, ``R = TP / #gt``, ``F1 = 2PR / (P + R)``.

        Returns:
            ``(thresholds increasing, precision, recall, f1)``.
        """
        t = np.flatnonzero(np.isclose(self.iou_thresholds, iou))
        if len(t) == 0:
            raise ValueError(f"IoU {iou} is not one of the evaluated thresholds {self.iou_thresholds.tolist()}.")
        m = self.matches
        sel = np.flatnonzero(m["category"] == k)
        tp, fp = m["tp"][t[0], sel], m["fp"][t[0], sel]
        counted = tp | fp
        s = m["score"][sel][counted]
        tp = tp[counted]
        order = np.argsort(-s, kind="stable")
        s, tp = s[order], tp[order]
        if len(s) == 0:
            return (np.zeros(0),) * 4
        last = np.append(np.flatnonzero(s[1:] != s[:-1]), len(s) - 1)
        ctp = np.cumsum(tp)[last].astype(np.float64)
        cfp = (last + 1) - ctp
        npos = max(int(m["n_pos"][k]), 0)
        p = ctp / (ctp + cfp)
        r = ctp / npos if npos else np.zeros_like(ctp)
        den = 2 * ctp + cfp + (npos - ctp)
        f1 = np.divide(2 * ctp, den, out=np.zeros_like(ctp), where=den > 0)
        return s[last][::-1], p[::-1], r[::-1], f1[::-1]

    def _at(self, thr, p):
        t = np.flatnonzero(self.iou_thresholds == thr)
        return np.array([_mean_valid(p[t, :, k]) for k in range(p.shape[2])])

    def _one(self, ap, iou=None, area="all", max_det=None):
        a = list(self.area_labels).index(area)
        m = list(self.max_dets).index(max_det)
        s = self.precision if ap else self.recall
        if iou is not None:  # exact float comparison, as pycocotools
            s = s[np.flatnonzero(self.iou_thresholds == iou)]
        return _mean_valid(s[..., a, m])

    def _lines(self):
        md = list(self.max_dets)
        big = md[-1]
        pick = [md[min(i, len(md) - 1)] for i in range(3)]
        return [
            (1, None, "all", big), (1, 0.5, "all", big), (1, 0.75, "all", big),
            (1, None, "small", big), (1, None, "medium", big), (1, None, "large", big),
            (0, None, "all", pick[0]), (0, None, "all", pick[1]), (0, None, "all", pick[2]),
            (0, None, "small", big), (0, None, "medium", big), (0, None, "large", big),
        ]

    def _stats(self):
        return np.array([self._one(*line) for line in self._lines()])

    def summary(self, print_out: bool = True) -> str:
        """The 12 lines pycocotools' ``summarize()`` prints (returned, and printed by default)."""
        out = []
        t0, t1 = self.iou_thresholds[0], self.iou_thresholds[-1]
        for (ap, iou, area, md), value in zip(self._lines(), self.stats):
            title = "Average Precision" if ap else "Average Recall"
            kind = "(AP)" if ap else "(AR)"
            iou_s = f"{t0:0.2f}:{t1:0.2f}" if iou is None else f"{iou:0.2f}"
            out.append(f" {title:<18} {kind} @[ IoU={iou_s:<9} | area={area:>6s} | maxDets={md:>3d} ] = {value:0.3f}")
        text = "\n".join(out)
        if print_out:
            print(text)
        return text

    def per_class_table(self) -> str:
        """A text table of AP, AP50, AP75 per category (``-`` where there is no ground truth)."""
        rows = [f"{'category':<24} {'AP':>7} {'AP50':>7} {'AP75':>7}"]
        for k, cid in enumerate(self.cat_ids):
            vals = [self.ap_per_class[k], self.ap50_per_class[k], self.ap75_per_class[k]]
            cells = " ".join(f"{v:7.3f}" if v > -1 else f"{'-':>7}" for v in vals)
            rows.append(f"{self.cat_names.get(int(cid), str(cid))[:24]:<24} {cells}")
        return "\n".join(rows)


def _mean_valid(s):
    s = np.asarray(s)
    valid = s[s > -1]
    return float(np.mean(valid)) if valid.size else -1.0


def _pair_iou(d, g, crowd):
    """IoU of detection/gt box pairs (xywh), in pycocotools' operation order."""
    w = np.minimum(d[:, 2] + d[:, 0], g[:, 2] + g[:, 0]) - np.maximum(d[:, 0], g[:, 0])
    h = np.minimum(d[:, 3] + d[:, 1], g[:, 3] + g[:, 1]) - np.maximum(d[:, 1], g[:, 1])
    inter = w * h
    da = d[:, 2] * d[:, 3]
    ga = g[:, 2] * g[:, 3]
    union = np.where(crowd, da, da + ga - inter)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = inter / union
    return np.where((w > 0) & (h > 0), iou, 0.0)


def coco_evaluate(gt, dt, *, iou_thresholds=None, max_dets=(1, 10, 100), area_ranges=None,
                  img_ids=None, cat_ids=None, verbose: bool = False) -> COCOEvalResult:
    """COCO bounding-box mAP, equal to pycocotools' ``COCOeval(..., "bbox")``.

    Args:
        gt: COCO instances JSON path or dict (``images``, ``annotations``, ``categories``).
        dt: COCO results JSON path or list of ``{image_id, category_id, bbox, score}``.
        iou_thresholds: default ``np.linspace(.5, .95, 10)``.
        max_dets: detections per image and class considered (increasing).
        area_ranges: four ``(lo, hi)`` pairs for all/small/medium/large.
        img_ids: evaluate only these images (default: all images of ``gt``).
        cat_ids: evaluate only these categories (default: all of ``gt``).
        verbose: print the summary.

    Returns:
        :class:`COCOEvalResult` (``.stats``, ``.precision``, ``.recall``, ``summary()``).

    Example:
        >>> gt = {"images": [{"id": 1}], "categories": [{"id": 1, "name": "cat"}],
        ...       "annotations": [{"id": 1, "image_id": 1, "category_id": 1,
        ...                        "bbox": [0, 0, 10, 10], "area": 100, "iscrowd": 0}]}
        >>> r = coco_evaluate(gt, [{"image_id": 1, "category_id": 1, "bbox": [0, 0, 10, 10], "score": .9}])
        >>> round(float(r.stats[0]), 6)
        1.0
    """
    g = load_ground_truth(gt)
    d = load_detections(dt, g)
    if iou_thresholds is None:
        iou_thresholds = np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True)
    iou_thresholds = np.asarray(iou_thresholds, dtype=np.float64)
    max_dets = sorted(int(m) for m in max_dets)
    area_ranges = np.asarray(AREA_RANGES if area_ranges is None else area_ranges, dtype=np.float64)
    if area_ranges.shape != (4, 2):
        raise ValueError("area_ranges must be four (lo, hi) pairs: all, small, medium, large.")
    if img_ids is not None:
        g.img_ids = np.unique(np.asarray(img_ids, dtype=np.int64))
    if cat_ids is not None:
        g.cat_ids = np.unique(np.asarray(cat_ids, dtype=np.int64))
    rec_thresholds = np.linspace(0.0, 1.0, int(np.round((1.00 - 0.0) / 0.01)) + 1, endpoint=True)
    matches = {}
    precision, recall, scores = _evaluate_arrays(g, d, iou_thresholds, rec_thresholds, max_dets,
                                                 area_ranges, matches)
    result = COCOEvalResult(precision, recall, scores, dict(
        iou_thresholds=iou_thresholds, rec_thresholds=rec_thresholds, max_dets=max_dets,
        area_ranges=area_ranges, area_labels=AREA_LABELS, img_ids=g.img_ids, cat_ids=g.cat_ids,
        cat_names=g.cat_names, matches=matches))
    if verbose:
        result.summary()
    return result


def _index(values, table):
    """Position of ``values`` in the sorted ``table``, -1 when absent."""
    pos = np.searchsorted(table, values)
    pos_c = np.minimum(pos, max(len(table) - 1, 0))
    ok = (pos < len(table)) & (table[pos_c] == values) if len(table) else np.zeros(len(values), bool)
    return np.where(ok, pos_c, -1)


def _evaluate_arrays(g: CocoGroundTruth, d: CocoDetections, thrs, rec_thrs, max_dets, area_rng,
                     matches=None):
    """The precision, recall and scores arrays; fills ``matches`` (area "all") if given."""
    T, R, K, A, M = len(thrs), len(rec_thrs), len(g.cat_ids), len(area_rng), len(max_dets)
    I = len(g.img_ids)
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    scores_out = -np.ones((T, R, K, A, M))

    # ground truth: keep evaluated images/classes, group by (class, image), file order inside
    gi, gk = _index(g.image_id, g.img_ids), _index(g.category_id, g.cat_ids)
    keep = (gi >= 0) & (gk >= 0)
    ggroup = (gk * I + gi)[keep]
    order = np.argsort(ggroup, kind="stable")
    ggroup = ggroup[order]
    gbox = g.bbox[keep][order]
    garea = g.area[keep][order]
    gcrowd = g.iscrowd[keep][order]
    gstart = np.searchsorted(ggroup, np.arange(K * I + 1))
    # gt ignore flag per area range: crowd, or area outside [lo, hi]
    gign = gcrowd[None, :] | (garea[None, :] < area_rng[:, :1]) | (garea[None, :] > area_rng[:, 1:])
    n_pos = np.zeros((K, A), dtype=np.int64)
    gcls = ggroup // I
    for a in range(A):
        n_pos[:, a] = np.bincount(gcls[~gign[a]], minlength=K)

    # detections: group, stable score order inside the group, cut to the largest maxDet
    di, dk = _index(d.image_id, g.img_ids), _index(d.category_id, g.cat_ids)
    keep = (di >= 0) & (dk >= 0)
    dgroup = (dk * I + di)[keep]
    dscore = d.score[keep]
    order = np.lexsort((-dscore, dgroup))  # lexsort is stable: ties keep file order
    dgroup, dscore = dgroup[order], dscore[order]
    dbox = d.bbox[keep][order]
    first = np.searchsorted(dgroup, dgroup, side="left")
    rank = np.arange(len(dgroup)) - first
    kept = rank < max_dets[-1]
    dgroup, dscore, dbox, rank = dgroup[kept], dscore[kept], dbox[kept], rank[kept]
    darea = dbox[:, 2] * dbox[:, 3]
    outside = (darea[None, :] < area_rng[:, :1]) | (darea[None, :] > area_rng[:, 1:])  # [A, D]
    ND = len(dgroup)

    matched, matched_ign = _greedy_match(dgroup, rank, dbox, gstart, gbox, gcrowd, gign, thrs, ND)
    # a detection is ignored if matched to an ignored gt, or unmatched and outside the area range
    ignored = np.where(matched, matched_ign, outside[None, :, :])
    tp = matched & ~ignored
    fp = ~matched & ~ignored

    dcls = dgroup // I
    dimg = dgroup % I
    if matches is not None:
        matches.update(category=dcls, score=dscore, tp=tp[:, 0], fp=fp[:, 0], n_pos=n_pos[:, 0])
    eps = np.spacing(1)
    for k in range(K):
        sel = np.flatnonzero(dcls == k)
        # across images: stable by score, images in id order, score order inside an image
        sel = sel[np.lexsort((rank[sel], dimg[sel], -dscore[sel]))]
        for m, md in enumerate(max_dets):
            s = sel[rank[sel] < md]
            n = len(s)
            tp_sum = np.cumsum(tp[:, :, s], axis=2, dtype=np.float64)
            fp_sum = np.cumsum(fp[:, :, s], axis=2, dtype=np.float64)
            sc = dscore[s]
            for a in range(A):
                npig = n_pos[k, a]
                if npig == 0:
                    continue
                if n == 0:
                    recall[:, k, a, m] = 0
                    precision[:, :, k, a, m] = 0
                    scores_out[:, :, k, a, m] = 0
                    continue
                tps, fps = tp_sum[:, a], fp_sum[:, a]
                rc = tps / npig
                pr = tps / (fps + tps + eps)
                recall[:, k, a, m] = rc[:, -1]
                env = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]
                for t in range(T):
                    idx = np.searchsorted(rc[t], rec_thrs, side="left")
                    ok = idx < n
                    idx = np.where(ok, idx, 0)
                    precision[t, :, k, a, m] = np.where(ok, env[t, idx], 0.0)
                    scores_out[t, :, k, a, m] = np.where(ok, sc[idx], 0.0)
    return precision, recall, scores_out


def _greedy_match(dgroup, rank, dbox, gstart, gbox, gcrowd, gign, thrs, ND):
    """Greedy COCO matching for all thresholds and area ranges at once.

    Returns ``matched[T, A, D]`` and ``matched_ign[T, A, D]`` (the matched gt is ignored).
    """
    T, A = len(thrs), gign.shape[0]
    matched = np.zeros((T, A, ND), dtype=bool)
    matched_ign = np.zeros((T, A, ND), dtype=bool)
    if ND == 0 or len(gbox) == 0:
        return matched, matched_ign
    # every (detection, gt of the same image and class) pair
    n_g = gstart[dgroup + 1] - gstart[dgroup]
    pdet = np.repeat(np.arange(ND), n_g)
    offs = np.arange(len(pdet)) - np.repeat(np.cumsum(n_g) - n_g, n_g)
    pgt = np.repeat(gstart[dgroup], n_g) + offs
    iou = _pair_iou(dbox[pdet], gbox[pgt], gcrowd[pgt])
    thr_eff = np.minimum(thrs, 1 - 1e-10)
    lowest = thr_eff.min()
    useful = iou >= lowest
    pdet, pgt, iou = pdet[useful], pgt[useful], iou[useful]
    P = len(pdet)
    if P == 0:
        return matched, matched_ign
    # priority of a pair: not-ignored gt first, then higher IoU, then the later gt
    pos = np.empty(P, dtype=np.int64)
    pos[np.lexsort((pgt, iou))] = np.arange(P)
    key = (~gign[:, pgt]).astype(np.int64) * P + pos[None, :]  # [A, P]
    # process pairs rank by rank (detection order within its image and class)
    prank = rank[pdet]
    order = np.lexsort((pdet, prank))
    pdet, pgt, iou, prank, key = pdet[order], pgt[order], iou[order], prank[order], key[:, order]
    bounds = np.searchsorted(prank, np.arange(prank[-1] + 2))
    above = iou[None, :] >= thr_eff[:, None]  # [T, P]
    taken = np.zeros((T, A, len(gbox)), dtype=bool)
    for r in range(len(bounds) - 1):
        lo, hi = bounds[r], bounds[r + 1]
        if lo == hi:
            continue
        gj = pgt[lo:hi]
        dj = pdet[lo:hi]
        free = gcrowd[gj][None, None, :] | ~taken[:, :, gj]
        eligible = above[:, None, lo:hi] & free
        km = np.where(eligible, key[None, :, lo:hi], -1)
        starts = np.flatnonzero(np.r_[True, dj[1:] != dj[:-1]])
        best = np.maximum.reduceat(km, starts, axis=2)
        counts = np.diff(np.r_[starts, hi - lo])
        chosen = (km >= 0) & (km == np.repeat(best, counts, axis=2))
        tt, aa, pp = np.nonzero(chosen)
        taken[tt, aa, gj[pp]] = True
        matched[tt, aa, dj[pp]] = True
        matched_ign[tt, aa, dj[pp]] = gign[aa, gj[pp]]
    return matched, matched_ign
