"""An LSTM in d2l's layout ("LSTM from scratch" of Dive into Deep Learning), for lstmdoc's pages.

Rows are examples: each X (B, D), H and C (B, H); one set of arrays per gate,
``W_xi`` (D, H), ``W_hi`` (H, H), ``b_i`` (H,), ..., and the output layer
``W_hq`` (H, V), ``b_q`` (V,). d2l trains it with autograd: no backward here.
"""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm(inputs, state, params):
    H, C = state
    outputs = []
    for X in inputs:
        I = sigmoid(X @ params["W_xi"] + H @ params["W_hi"] + params["b_i"])
        F = sigmoid(X @ params["W_xf"] + H @ params["W_hf"] + params["b_f"])
        O = sigmoid(X @ params["W_xo"] + H @ params["W_ho"] + params["b_o"])
        C_tilda = np.tanh(X @ params["W_xc"] + H @ params["W_hc"] + params["b_c"])
        C = F * C + I * C_tilda
        H = O * np.tanh(C)
        outputs.append(H @ params["W_hq"] + params["b_q"])
    return np.stack(outputs), (H, C)
