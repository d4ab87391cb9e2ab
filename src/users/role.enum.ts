export enum Role {
  Creator = 'creator',
  Buyer = 'buyer',
}
