// Feature views: declarative definitions, tiled aggregate state, as-of evaluation, online stores
