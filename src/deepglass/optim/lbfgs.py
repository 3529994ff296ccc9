"""L-BFGS: a quasi-Newton method that builds a curvature model from the last few steps (closure-based)."""
from __future__ import annotations

import numpy as np

from .._tensor import Tensor, bump_version, from_array
from ..autograd import grad_mode
from ..backend import array_module_of
from .optimizer import Optimizer, check_nonneg, fused_add


def _num(v):
    """A 0-d array (a dot product, a max) as a NumPy scalar of its dtype.

    NumPy scalars follow PyTorch's 0-d-tensor arithmetic: with a Python float the result
    keeps the float32 dtype, so the line search's comparisons round as PyTorch's do.
    """
    if isinstance(v, np.generic):
        return v
    return np.dtype(v.dtype).type(v.item())


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """Minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clipped to ``bounds`` (PyTorch's port of minFunc)."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along ``d`` for a step ``t`` meeting the strong Wolfe conditions (bracketing, then zoom).

    Returns ``(f_new, g_new, t, evaluations)``.
    """
    xp = array_module_of(d)
    d_norm = _num(xp.abs(d).max())
    g = g.copy()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = _num(xp.dot(g_new, d))

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new.copy()], [gtd_prev, gtd_new]
            break
        # extrapolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step))
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new.copy(), gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _num(xp.dot(g_new, d))
        ls_iter += 1

    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket until a point satisfies the conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # too close to an end of the bracket: move 10% of its length inside (if twice in a row, or at the end)
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = _num(xp.dot(g_new, d))
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition fails or no lower than the low end: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new.copy(), gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True  # Wolfe conditions hold
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the old high end becomes the new low end
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new.copy(), gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


class LBFGS(Optimizer):
    r"""L-BFGS (PyTorch's implementation, after minFunc): Newton-like steps from a low-rank inverse-Hessian model.

    ``step(closure)`` runs up to ``max_iter`` iterations; each needs the loss and its gradient,
    so the closure must zero the gradients, compute the loss, call ``backward()`` and return it.
    With g_k the flattened gradient, s_k = θ_{k+1} − θ_k and y_k = g_{k+1} − g_k (the last
    m = ``history_size`` pairs with y_kᵀs_k > 1e-10):

    - direction d_k = −H_k g_k by the two-loop recursion: q = −g_k; for i = k−1 … k−m:
      α_i = ρ_i s_iᵀq, q ← q − α_i y_i (ρ_i = 1 / y_iᵀs_i); r = γ q with γ = s_{k−1}ᵀy_{k−1} / y_{k−1}ᵀy_{k−1};
      for i = k−m … k−1: β_i = ρ_i y_iᵀr, r ← r + (α_i − β_i) s_i; d_k = r  (the first iteration: d = −g)
    - step θ_{k+1} = θ_k + t d_k, with t = η (the first iteration ever: min(1, 1/‖g‖₁)·η), or
      t from a strong-Wolfe line search (``line_search_fn="strong_wolfe"``):
      f(θ + t d) ≤ f(θ) + c₁ t gᵀd and |∇f(θ + t d)ᵀd| ≤ c₂ |gᵀd| (c₁ = 1e-4, c₂ = 0.9)
    - stop when max |g| ≤ ``tolerance_grad``, gᵀd > −``tolerance_change``, max |t d| ≤
      ``tolerance_change``, |Δloss| < ``tolerance_change``, or after ``max_iter`` iterations /
      ``max_eval`` closure calls.

    The curvature pairs, the last direction and step persist across ``step()`` calls, so
    successive calls continue one optimisation. One parameter group only (no per-parameter
    options); scalars are computed in the parameters' dtype, like PyTorch's 0-d tensors.

    Args:
        params: Tensors (one group).
        lr: η (default 1).
        max_iter: iterations per ``step()`` (default 20).
        max_eval: closure evaluations per ``step()`` (default ``max_iter * 5 // 4``).
        tolerance_grad: first-order optimality tolerance (default 1e-7).
        tolerance_change: tolerance on loss / parameter changes (default 1e-9).
        history_size: m, the number of curvature pairs kept (default 100).
        line_search_fn: ``None`` (fixed step η) or ``"strong_wolfe"``.

    Shape:
        Parameters of any shape; the state (kept on the first parameter, as PyTorch) holds flat
        vectors of the total number of elements: ``d``, ``prev_flat_grad`` and the lists
        ``old_dirs`` (y), ``old_stps`` (s); numbers ``t``, ``H_diag``, ``ro``, ``prev_loss``,
        ``n_iter``, ``func_evals``.

    Returns:
        ``step(closure)`` returns the closure's first loss (before the update).

    Example:
        >>> opt = deepglass.optim.LBFGS(model.parameters(), lr=1, line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = loss_fn(model(x), y)
        ...     loss.backward()
        ...     return loss
        >>> first = opt.step(closure).item()      # the loss before the first update
        >>> for _ in range(4):
        ...     _ = opt.step(closure)
        >>> loss_fn(model(x), y).item() < first
        True
    """

    def __init__(self, params, lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None):
        check_nonneg("learning rate", lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        self._numel_cache = None

    # --------------------------------------------------------- flat views
    def _numel(self) -> int:
        if self._numel_cache is None:
            self._numel_cache = sum(int(p._array.size) for p in self._params)
        return self._numel_cache

    def _gather_flat_grad(self):
        xp = array_module_of(self._params[0]._array)
        views = [xp.zeros(p._array.size, dtype=p._array.dtype) if p.grad is None else p.grad._array.reshape(-1)
                 for p in self._params]
        return xp.concatenate(views, 0)

    def _add_grad(self, step_size, update) -> None:
        xp = array_module_of(update)
        offset = 0
        for p in self._params:
            n = int(p._array.size)
            fused_add(xp, p._array, step_size, update[offset:offset + n].reshape(p._array.shape), out=p._array)
            bump_version(p)
            offset += n
        assert offset == self._numel()

    def _clone_param(self):
        return [p._array.copy() for p in self._params]

    def _set_param(self, params_data) -> None:
        for p, data in zip(self._params, params_data):
            p._array[...] = data
            bump_version(p)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss = float(closure())
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # --------------------------------------------------------------- step
    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations.

        Args:
            closure: re-evaluates the model, calls ``backward()`` and returns the loss (required).

        Returns:
            The loss of the closure's first call.
        """
        if closure is None:
            raise RuntimeError("LBFGS.step needs a closure that re-evaluates the model and returns the loss")
        if len(self.param_groups) != 1:
            raise AssertionError(f"Expected exactly one param_group, but got {len(self.param_groups)}")
        with grad_mode.no_grad():
            return self._step(grad_mode.enable_grad()(closure))

    def _step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]
        xp = array_module_of(self._params[0]._array)

        # the state is global, but kept on the first parameter (as PyTorch, for load_state_dict)
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = closure()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        opt_cond = _num(xp.abs(flat_grad).max()) <= tolerance_grad
        if opt_cond:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # ---- direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = _num(xp.dot(y, s))
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / _num(xp.dot(y, y))
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = _num(xp.dot(old_stps[i], q)) * ro[i]
                    fused_add(xp, q, -al[i], old_dirs[i], out=q)
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = _num(xp.dot(old_dirs[i], r)) * ro[i]
                    fused_add(xp, r, al[i] - be_i, old_stps[i], out=r)

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # ---- step length
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / _num(xp.abs(flat_grad).sum())) * lr
            else:
                t = lr
            gtd = _num(xp.dot(flat_grad, d))
            if gtd > -tolerance_change:  # not a descent direction (to tolerance)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = _num(xp.abs(flat_grad).max()) <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # re-evaluate (not after the last iteration: the next step() does that)
                    loss = float(closure())
                    flat_grad = self._gather_flat_grad()
                    opt_cond = _num(xp.abs(flat_grad).max()) <= tolerance_grad
                    ls_func_evals = 1

            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # ---- stopping conditions
            if n_iter == max_iter:
                break
            if current_evals >= max_eval:
                break
            if opt_cond:
                break
            if _num(xp.abs(d * t).max()) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    # --------------------------------------------------------- state dict
    def state_dict(self) -> dict:
        """PyTorch's layout: the global state under parameter 0; arrays (also inside lists) as Tensors."""
        live, self.state = self.state, {}
        try:
            sd = super().state_dict()  # the groups
        finally:
            self.state = live
        s = self.state.get(self._params[0])
        if s is not None:
            sd["state"] = {0: {n: _pack(v) for n, v in s.items()}}
        return sd

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a state saved by :meth:`state_dict`; vectors go to the parameters' device and dtype."""
        state_dict = dict(state_dict)
        inner = state_dict["state"]
        state_dict["state"] = {}
        super().load_state_dict(state_dict)
        p0 = self._params[0]
        for key, s in inner.items():
            if int(key) == 0:
                self.state[p0] = {n: _unpack(v, p0._array) for n, v in s.items()}


def _pack(v):
    if isinstance(v, list):
        return [_pack(x) for x in v]
    if v is None or isinstance(v, (bool, int, float, Tensor)):
        return v
    if isinstance(v, np.generic):  # a 0-d scalar in the parameters' dtype (t, H_diag, ro, al)
        return from_array(np.asarray(v))
    return from_array(v)


def _unpack(v, like):
    from .. import backend

    if isinstance(v, list):
        return [_unpack(x, like) for x in v]
    if isinstance(v, Tensor) or (hasattr(v, "shape") and hasattr(v, "dtype")):
        arr = v._array if isinstance(v, Tensor) else v
        if arr.ndim == 0:
            return np.dtype(like.dtype).type(arr.item())
        xp = backend.array_module_of(like)
        return xp.array(backend.to_device(arr, backend.device_of(like)), dtype=like.dtype, copy=True)
    return v


__all__ = ["LBFGS"]
