import { PageDto } from '../../common/pagination.js';
import { SaleDto } from '../../purchases/dto/sale.dto.js';

// A sale is the purchases module's: the sales list and a refund answer it alike.
export { SaleDto };

export class SalePageDto extends PageDto(SaleDto, 'SalePage') {}
