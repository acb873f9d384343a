import { measureInitramfsListing } from './bench/measure/initramfs-listing';
console.log(await measureInitramfsListing(3));
