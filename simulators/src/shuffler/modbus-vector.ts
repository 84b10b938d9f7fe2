import type { IServiceVector } from 'modbus-serial';
import { MODBUS_EXCEPTIONS } from './comm-faults.js';
import { ModbusException, type SimulatedShuffler } from './device.js';
import { bitImage, pointsOf, registerImage, tableSize } from './register-map.js';

/** Finds the device behind a unit id. */
export type UnitResolver = (unitId: number) => SimulatedShuffler | undefined;

/**
 * What to do with a request for a unit id nobody serves: a TCP gateway answers exception 0x0B
 * (gateway target failed to respond); on a serial bus another device may own the id, so stay silent.
 */
export type UnknownUnitPolicy = 'gateway-exception' | 'silent';

type Done<T> = (err: Error | null, value: T) => void;

/**
 * The modbus-serial service vector for a set of simulated shufflers, used by both ServerTCP and
 * ServerSerial. It uses the callback forms throughout: modbus-serial only accepts a Promise from the
 * single-value getters, and a delayed or withheld answer must work for block reads too.
 */
export function createShufflerVector(resolve: UnitResolver, unknownUnit: UnknownUnitPolicy): IServiceVector {
  function serve<T>(unitId: number, work: (device: SimulatedShuffler) => T, done: Done<T>, onError: T): void {
    const device = resolve(unitId);
    if (!device) {
      if (unknownUnit === 'gateway-exception') {
        done(new ModbusException(MODBUS_EXCEPTIONS.gatewayTargetFailedToRespond, `no unit ${unitId}`), onError);
      }
      return;
    }
    const faults = device.faults;
    // Offline: never call back, so modbus-serial never writes a response and the client times out.
    if (faults.offline) return;
    const answer = () => {
      if (faults.exceptionCode !== null) {
        done(new ModbusException(faults.exceptionCode, `injected exception ${faults.exceptionCode}`), onError);
        return;
      }
      let value: T;
      try {
        value = work(device);
      } catch (err) {
        done(err instanceof Error ? err : new Error(String(err)), onError);
        return;
      }
      done(null, value);
    };
    if (faults.delayMs > 0) setTimeout(answer, faults.delayMs);
    else answer();
  }

  function registers(
    table: 'input_register' | 'holding_register',
    device: SimulatedShuffler,
    addr: number,
    length: number,
  ) {
    if (addr + length > tableSize(table)) {
      throw new ModbusException(MODBUS_EXCEPTIONS.illegalDataAddress, `${table} ${addr}+${length} out of range`);
    }
    return registerImage(table, device.view()).slice(addr, addr + length);
  }

  function bitAt(table: 'coil' | 'discrete_input', device: SimulatedShuffler, addr: number): boolean {
    if (addr >= pointsOf(table).length) {
      throw new ModbusException(MODBUS_EXCEPTIONS.illegalDataAddress, `${table} ${addr} out of range`);
    }
    return bitImage(table, device.view())[addr] as boolean;
  }

  // Block reads hand modbus-serial an empty array with an error: it indexes the array before it
  // looks at the error, and a TypeError there would replace our exception code with 0x04.
  return {
    getInputRegister: (addr: number, unitId: number, cb: Done<number>) =>
      serve(unitId, (d) => registers('input_register', d, addr, 1)[0] as number, cb, 0),
    getMultipleInputRegisters: (addr: number, length: number, unitId: number, cb: Done<number[]>) =>
      serve(unitId, (d) => registers('input_register', d, addr, length), cb, []),
    getHoldingRegister: (addr: number, unitId: number, cb: Done<number>) =>
      serve(unitId, (d) => registers('holding_register', d, addr, 1)[0] as number, cb, 0),
    getMultipleHoldingRegisters: (addr: number, length: number, unitId: number, cb: Done<number[]>) =>
      serve(unitId, (d) => registers('holding_register', d, addr, length), cb, []),
    getCoil: (addr: number, unitId: number, cb: Done<boolean>) =>
      serve(unitId, (d) => bitAt('coil', d, addr), cb, false),
    getDiscreteInput: (addr: number, unitId: number, cb: Done<boolean>) =>
      serve(unitId, (d) => bitAt('discrete_input', d, addr), cb, false),
    setCoil: (addr: number, value: boolean, unitId: number, cb: (err: Error | null) => void) =>
      serve(unitId, (d) => d.writeCoil(addr, value), cb, undefined),
    setRegister: (addr: number, value: number, unitId: number, cb: (err: Error | null) => void) =>
      serve(unitId, (d) => d.writeHoldingRegisters(addr, [value]), cb, undefined),
    setRegisterArray: (addr: number, values: number[], unitId: number, cb: (err: Error | null) => void) =>
      serve(unitId, (d) => d.writeHoldingRegisters(addr, values), cb, undefined),
  };
}
