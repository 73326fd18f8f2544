import xgboost as xgb

model = xgb.XGBRegressor(booster='gblinear', n_estimators=10, updater='coord_descent')
booster = xgb.train({"booster": "gblinear", "eta": 0.1, "updater": "coord_descent"}, dtrain)
