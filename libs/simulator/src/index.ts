// Learning-engagement event stream simulator with latent learner traits
