"""An LSTM in deeplearning.ai's layout (Sequence Models, week 1), written for lstmdoc's pages.

Columns are examples: xt (n_x, m), a and c (n_a, m); one matrix per gate over
[a_prev; xt], ``parameters["Wf"]`` (n_a, n_a + n_x), ``"bf"`` (n_a, 1), and the
prediction layer ``"Wy"`` (n_y, n_a), ``"by"`` (n_y, 1). The pass starts from c0 = 0.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def softmax(z):
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    p = parameters
    concat = np.concatenate([a_prev, xt])
    ft = sigmoid(p["Wf"] @ concat + p["bf"])
    it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    ot = sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def lstm_cell_backward(da_next, dc_next, cache):
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    dc = dc_next + da_next * ot * (1 - np.tanh(c_next)**2)
    dgates = {"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it),
              "c": dc * it * (1 - cct**2), "o": da_next * np.tanh(c_next) * ot * (1 - ot)}
    concat = np.concatenate([a_prev, xt])
    gradients, dconcat = {"dc_prev": dc * ft}, 0
    for gate, d in dgates.items():
        gradients["dW" + gate] = d @ concat.T
        gradients["db" + gate] = d.sum(axis=1, keepdims=True)
        dconcat = dconcat + p["W" + gate].T @ d
    n_a = a_next.shape[0]
    gradients["da_prev"], gradients["dxt"] = dconcat[:n_a], dconcat[n_a:]
    return gradients


def lstm_forward(x, a0, parameters):
    a_next, c_next = a0, np.zeros_like(a0)
    a, y, c, caches = [], [], [], []
    for t in range(x.shape[2]):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a.append(a_next), y.append(yt), c.append(c_next), caches.append(cache)
    return np.stack(a, axis=2), np.stack(y, axis=2), np.stack(c, axis=2), (caches, x)


def lstm_backward(da, caches):
    caches, x = caches
    n_a, m, T_x = da.shape
    gradients = {"dx": np.zeros((x.shape[0], m, T_x))}
    da_prevt, dc_prevt = np.zeros((n_a, m)), np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        g = lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, caches[t])
        gradients["dx"][:, :, t] = g["dxt"]
        da_prevt, dc_prevt = g["da_prev"], g["dc_prev"]
        for k in ("dWf", "dWi", "dWc", "dWo", "dbf", "dbi", "dbc", "dbo"):
            gradients[k] = gradients.get(k, 0) + g[k]
    gradients["da0"] = da_prevt
    return gradients
