export { DEFAULT_PRICES, DEFAULT_PRICES_AS_OF, type ModelPrice } from "./default-prices";
export { estimateCost, priceFor, priceTable, type PriceTable, type PricedModel } from "./estimate-cost";
export { listModelPrices, modelPriceViews, type ModelPriceTableView, type ModelPriceView } from "./list-model-prices";
export { currentPriceTable } from "./price-cache";
export { deleteModelPrice, setModelPrice } from "./set-model-price";
