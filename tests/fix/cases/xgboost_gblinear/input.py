import xgboost as xgb

model = xgb.XGBRegressor(booster='gblinear', n_estimators=10)
booster = xgb.train({"booster": "gblinear", "eta": 0.1}, dtrain)
