// Gradient-boosted decision trees: training, prediction, ONNX export, TreeSHAP, tuning
