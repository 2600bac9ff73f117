export { DEFAULT_PRICES, DEFAULT_PRICES_AS_OF, type ModelPrice } from "./default-prices";
export { estimateCost, type PricedModel, type PriceTable, priceFor, priceTable } from "./estimate-cost";
export { listModelPrices, type ModelPriceTableView, type ModelPriceView, modelPriceViews } from "./list-model-prices";
export { currentPriceTable } from "./price-cache";
export { deleteModelPrice, setModelPrice } from "./set-model-price";
