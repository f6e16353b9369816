// Model specs: declared models, their request-time and derived features, labels and the input vector shared by training and inference
export {};
