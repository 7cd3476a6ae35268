"""An LSTM in Karpathy's layout (his numpy lstm.py), written for lstmdoc's pages.

One matrix ``WLSTM`` (1 + D + H, 4H) over [1; x; h]: the bias is its first row;
gate blocks i, f, o, g; ``X`` (T, B, D), states (B, H). ``forward`` and
``backward`` run over a whole sequence; ``dcn``, ``dhn``: gradients from later.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class LSTM:
    @staticmethod
    def forward(X, WLSTM, c0=None, h0=None):
        n, b, D = X.shape
        d = WLSTM.shape[1] // 4
        c0 = np.zeros((b, d)) if c0 is None else c0
        h0 = np.zeros((b, d)) if h0 is None else h0
        Hin, IFOGf = np.ones((n, b, WLSTM.shape[0])), np.zeros((n, b, 4 * d))
        C, Hout = np.zeros((n, b, d)), np.zeros((n, b, d))
        for t in range(n):
            Hin[t, :, 1:D + 1] = X[t]
            Hin[t, :, D + 1:] = Hout[t - 1] if t else h0
            IFOG = Hin[t] @ WLSTM
            IFOGf[t] = np.hstack([sigmoid(IFOG[:, :3 * d]), np.tanh(IFOG[:, 3 * d:])])
            i, f, o, g = np.split(IFOGf[t], 4, axis=1)
            C[t] = i * g + f * (C[t - 1] if t else c0)
            Hout[t] = o * np.tanh(C[t])
        cache = {"WLSTM": WLSTM, "Hin": Hin, "IFOGf": IFOGf, "C": C, "c0": c0}
        return Hout, C[-1], Hout[-1], cache

    @staticmethod
    def backward(dHout_in, cache, dcn=None, dhn=None):
        WLSTM, Hin, IFOGf, C, c0 = (cache[k] for k in ("WLSTM", "Hin", "IFOGf", "C", "c0"))
        n, b, d = C.shape
        D = Hin.shape[2] - d - 1
        dHout, dC = dHout_in.copy(), np.zeros_like(C)
        if dcn is not None:
            dC[-1] += dcn
        if dhn is not None:
            dHout[-1] += dhn
        dX, dWLSTM, dIFOG = np.zeros((n, b, D)), np.zeros_like(WLSTM), np.zeros_like(IFOGf)
        for t in reversed(range(n)):
            i, f, o, g = np.split(IFOGf[t], 4, axis=1)
            tanhC = np.tanh(C[t])
            dC[t] += dHout[t] * o * (1 - tanhC**2)
            c_prev = C[t - 1] if t else c0
            dIFOGf = np.hstack([dC[t] * g, dC[t] * c_prev, dHout[t] * tanhC, dC[t] * i])
            y = IFOGf[t]
            dIFOG[t] = dIFOGf * np.hstack([y[:, :3 * d] * (1 - y[:, :3 * d]), 1 - g**2])
            dWLSTM += Hin[t].T @ dIFOG[t]
            dHin = dIFOG[t] @ WLSTM.T
            dX[t] = dHin[:, 1:D + 1]
            if t:
                dC[t - 1] += f * dC[t]
                dHout[t - 1] += dHin[:, D + 1:]
        return dX, dWLSTM, f * dC[0], dHin[:, D + 1:]
