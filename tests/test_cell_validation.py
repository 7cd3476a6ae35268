"""Bad input to the whole cell (layer norm, dropout) gets an error that names the argument."""

import numpy as np
import pytest

import lstmdoc
from lstmdoc import LSTMParams
from lstmdoc.dropout import dropout_mask
from lstmdoc.example import random

H, T, B = 4, 6, 2  # the random example's sizes


def params(**change):
    p = random().params
    fields = dict(W=p.W, b=p.b, Wy=p.Wy, by=p.by, norm_gain=np.ones((5 * H, 1)),
                  norm_shift=np.zeros((5 * H, 1)))
    return LSTMParams(**(fields | change))


@pytest.mark.parametrize("change, error, message", [
    (dict(norm_shift=None), ValueError, r"norm_gain is given but norm_shift is not"),
    (dict(norm_gain=None), ValueError, r"norm_shift is given but norm_gain is not"),
    (dict(norm_gain=np.ones((4 * H, 1))), ValueError, r"norm_gain must have shape \(5H, 1\) = \(20, 1\)"),
    (dict(norm_shift=np.zeros((1, 5 * H))), ValueError, r"norm_shift must have shape \(5H, 1\)"),
    (dict(norm_gain=np.ones(5 * H)), ValueError, r"norm_gain must be 2-D"),
    (dict(norm_gain=np.ones((5 * H, 1), np.float32)), TypeError, r"norm_gain has dtype float32"),
    (dict(norm_shift=[[0.0]] * 20), TypeError, r"norm_shift must be a numpy ndarray"),
    (dict(norm_gain=np.full((5 * H, 1), np.nan)), ValueError, r"norm_gain contains NaN"),
])
def test_bad_layer_norm_parameters(change, error, message):
    with pytest.raises(error, match=message):
        params(**change)


def test_good_layer_norm_parameters():
    assert params().layer_norm and not random().params.layer_norm


@pytest.mark.parametrize("mask, error, message", [
    (np.ones((T, H, B + 1)), ValueError, r"dropout_mask must have shape \(T, H, B\) = \(6, 4, 2\)"),
    (np.ones((H, B)), ValueError, r"dropout_mask must be 3-D"),
    (-np.ones((T, H, B)), ValueError, r"dropout_mask must not be negative"),
    (np.ones((T, H, B), np.float32), TypeError, r"dropout_mask has dtype float32"),
    (np.ones((T, H, B), int), TypeError, r"dropout_mask must have dtype float32 or float64"),
    (np.full((T, H, B), np.inf), ValueError, r"dropout_mask contains NaN or infinity"),
    ([[[1.0]]], TypeError, r"dropout_mask must be a numpy ndarray"),
])
def test_bad_dropout_mask(mask, error, message):
    ex = random()
    for fn in (lstmdoc.loss_and_grads, lstmdoc.run):
        with pytest.raises(error, match=message):
            fn(ex.params, ex.X, ex.target, ex.h0, ex.c0, dropout_mask=mask)


@pytest.mark.parametrize("args, error, message", [
    ((0, (T, H, B), 0), ValueError, r"keep_prob must lie in \(0, 1\], got 0.0"),
    ((1.01, (T, H, B), 0), ValueError, r"keep_prob must lie in \(0, 1\]"),
    ((-0.5, (T, H, B), 0), ValueError, r"keep_prob must lie in \(0, 1\]"),
    ((np.nan, (T, H, B), 0), ValueError, r"keep_prob must be finite"),
    (("0.5", (T, H, B), 0), TypeError, r"keep_prob must be a real number"),
    ((0.5, (H, B), 0), ValueError, r"shape must be \(T, H, B\)"),
    ((0.5, (T, 0, B), 0), ValueError, r"shape must be \(T, H, B\)"),
    ((0.5, [T, H, B], 0), ValueError, r"shape must be \(T, H, B\)"),
])
def test_bad_dropout_mask_arguments(args, error, message):
    with pytest.raises(error, match=message):
        dropout_mask(*args)


def test_dropout_mask_dtype_must_be_a_float():
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        dropout_mask(0.5, (T, H, B), 0, dtype=int)


@pytest.mark.parametrize("convert", ["to_tf_cell", "to_keras", "to_torch"])
def test_converters_refuse_a_layer_norm_model(convert):
    """Their layouts have no norms: converting would silently drop them."""
    with pytest.raises(ValueError, match="params has layer norm"):
        getattr(lstmdoc, convert)(params())
